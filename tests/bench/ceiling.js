/**
 * What generated code could reach, JavaScript against WebAssembly: one
 * guest loop translated by hand as a region compiler with registers in
 * locals and static flag knowledge would emit it, in both, over the same
 * memory layout (a page table and a frame pool in one WebAssembly.Memory),
 * exact budget checks included. It decided the next engine tier
 * (docs/engine.md); rerun it when the runtimes change.
 *
 * Run: `npx deno run tests/bench/ceiling.js`, `npx bun tests/bench/ceiling.js`.
 */
// The guest loop:
//   top: add eax,[esi]; mov [esi+4],eax; add esi,4; and esi,0x40000fff
//        test eax,1; jz even; inc ebx; even: dec ecx; jnz top
const PAGES = 1 << 20, RI = 0, WI = 4 * PAGES, POOL = 8 * PAGES;
const mem = new WebAssembly.Memory({ initial: (POOL + 16 * 4096) / 65536 + 1 });
const h32 = new Int32Array(mem.buffer);
const frame = POOL / 4096 + 1; // frame index of the guest page 0x40000000
h32[(RI >> 2) + 0x40000] = frame; h32[(WI >> 2) + 0x40000] = frame; h32[(RI >> 2) + 0x40001] = frame + 1; h32[(WI >> 2) + 0x40001] = frame + 1;
for (let j = 0; j < 1024; j++) h32[(frame << 10) + j] = j * 7;
const N = 20_000_000;

function jsRegion(st, budget) {
  let eax = st[0], ecx = st[1], ebx = st[3], esi = st[6], left = budget, fr = 0, $i, $o;
  const H = h32;
  for (;;) {
    if (left < 7) break;
    left -= 7;
    $i = H[(esi >>> 12)]; $o = esi & 4095;
    const v = ($i !== 0 && ($o & 3) === 0) ? H[(($i << 12) | $o) >> 2] : slow(esi);
    eax = (eax + v) | 0;
    const a = (esi + 4) | 0;
    $i = H[(WI >> 2) + (a >>> 12)]; $o = a & 4095;
    if ($i !== 0 && ($o & 3) === 0) H[(($i << 12) | $o) >> 2] = eax; else slowW(a, eax);
    esi = (esi + 4) | 0; esi = esi & 0x40000fff;
    fr = eax & 1;
    if (fr !== 0) { if (left < 1) break; left -= 1; ebx = (ebx + 1) | 0; }
    if (left < 2) break; left -= 2;
    ecx = (ecx - 1) | 0;
    if (ecx === 0) break;
  }
  st[0] = eax; st[1] = ecx; st[3] = ebx; st[6] = esi;
  return budget - left;
}
function slow() { throw new Error("slow"); }
function slowW() { throw new Error("slowW"); }

// --- a minimal wasm encoder ---
const uleb = (n) => { const o = []; do { let b = n & 0x7f; n >>>= 7; if (n) b |= 0x80; o.push(b); } while (n); return o; };
const sleb = (n) => { const o = []; for (;;) { const b = n & 0x7f; n >>= 7; if ((n === 0 && !(b & 0x40)) || (n === -1 && (b & 0x40))) { o.push(b); return o; } o.push(b | 0x80); } };
const vec = (items) => [...uleb(items.length), ...items.flat()];
const section = (id, body) => [id, ...uleb(body.length), ...body];
const str = (s) => vec([...s].map((c) => [c.charCodeAt(0)]));
const I = { get: 0x20, set: 0x21, tee: 0x22, const: 0x41, add: 0x6a, sub: 0x6b, and: 0x71, shru: 0x76, shl: 0x74, or: 0x72, eqz: 0x45, ltu: 0x49, gtu: 0x4b, load: 0x28, store: 0x36, if: 0x04, end: 0x0b, brif: 0x0d, loop: 0x03, block: 0x02, unreachable: 0x00 };
const g = (l) => [I.get, l], s = (l) => [I.set, l], t = (l) => [I.tee, l], c = (n) => [I.const, ...sleb(n)];
const ld = (off = 0) => [I.load, 2, ...uleb(off)], stt = (off = 0) => [I.store, 2, ...uleb(off)];
// locals: 0 st (param: address of the state) 1 budget (param) 2 eax 3 ecx 4 ebx 5 esi 6 left 7 frame 8 (unused) 9 address
const EAX = 2, ECX = 3, EBX = 4, ESI = 5, LEFT = 6, Fi = 7, A = 9;
const body = [
  // load registers from state at address 0x7ff000 (st param)
  ...g(0), ...ld(0), ...s(EAX), ...g(0), ...ld(4), ...s(ECX), ...g(0), ...ld(12), ...s(EBX), ...g(0), ...ld(24), ...s(ESI), ...g(1), ...s(LEFT),
  I.block, 0x40, // exit
  I.loop, 0x40,
  // budget 7
  ...g(LEFT), ...c(7), I.ltu, I.brif, 1,
  ...g(LEFT), ...c(7), I.sub, ...s(LEFT),
  // eax += [esi]
  // (the slow paths, a missing page or an access crossing one, are never taken here)
  ...g(ESI), ...c(12), I.shru, ...c(2), I.shl, ...ld(RI), ...t(Fi), I.eqz, I.if, 0x40, I.unreachable, I.end,
  ...g(ESI), ...c(4095), I.and, ...c(4092), I.gtu, I.if, 0x40, I.unreachable, I.end,
  ...g(EAX), ...g(Fi), ...c(12), I.shl, ...g(ESI), ...c(4095), I.and, I.or, ...ld(0), I.add, ...s(EAX),
  // [esi+4] = eax
  ...g(ESI), ...c(4), I.add, ...t(A), ...c(12), I.shru, ...c(2), I.shl, ...ld(WI), ...t(Fi), I.eqz, I.if, 0x40, I.unreachable, I.end,
  ...g(A), ...c(4095), I.and, ...c(4092), I.gtu, I.if, 0x40, I.unreachable, I.end,
  ...g(Fi), ...c(12), I.shl, ...g(A), ...c(4095), I.and, I.or, ...g(EAX), ...stt(0),
  // esi = (esi + 4) & mask
  ...g(ESI), ...c(4), I.add, ...c(0x40000fff), I.and, ...s(ESI),
  // test eax,1; jz even; inc ebx
  ...g(EAX), ...c(1), I.and, I.if, 0x40,
    ...g(LEFT), ...c(1), I.ltu, I.brif, 2,
    ...g(LEFT), ...c(1), I.sub, ...s(LEFT),
    ...g(EBX), ...c(1), I.add, ...s(EBX),
  I.end,
  ...g(LEFT), ...c(2), I.ltu, I.brif, 1,
  ...g(LEFT), ...c(2), I.sub, ...s(LEFT),
  ...g(ECX), ...c(1), I.sub, ...t(ECX), I.brif, 0,
  I.end, I.end,
  ...g(0), ...g(EAX), ...stt(0), ...g(0), ...g(ECX), ...stt(4), ...g(0), ...g(EBX), ...stt(12), ...g(0), ...g(ESI), ...stt(24),
  ...g(1), ...g(LEFT), I.sub, I.end,
];
const func = [...vec([[8, 0x7f]]), ...body];
const wasm = new Uint8Array([0, 0x61, 0x73, 0x6d, 1, 0, 0, 0,
  ...section(1, vec([[0x60, ...vec([[0x7f], [0x7f]]), ...vec([[0x7f]])]])),
  ...section(2, vec([[...str("e"), ...str("m"), 0x02, 0x00, ...uleb(mem.buffer.byteLength / 65536)]])),
  ...section(3, vec([[0]])),
  ...section(7, vec([[...str("run"), 0x00, 0]])),
  ...section(10, vec([[...uleb(func.length), ...func]])),
]);
const t0 = performance.now();
const inst = new WebAssembly.Instance(new WebAssembly.Module(wasm), { e: { m: mem } });
const compileMs = performance.now() - t0;
const ST = 0x7ff000;
const st = new Int32Array(8);
for (const [name, run] of [["js", (b) => jsRegion(st, b)], ["wasm", (b) => { h32.set(st, ST >> 2); const r = inst.exports.run(ST, b); st.set(h32.subarray(ST >> 2, (ST >> 2) + 8)); return r; }]]) {
  for (let rep = 0; rep < 3; rep++) {
    st.fill(0); st[1] = N / 4; st[6] = 0x40000000;
    const t = performance.now();
    let retired = 0;
    while (st[1] !== 0) retired += run(1_000_000);
    const ms = performance.now() - t;
    if (rep === 2) console.log(`${name}: ${retired} instructions, ${(retired / ms / 1e3).toFixed(0)} MIPS (third run)`);
  }
}
console.log(`wasm module compiled in ${compileMs.toFixed(2)} ms`);
