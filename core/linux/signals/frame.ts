/**
 * The i386 signal frames, laid out as Linux lays them out
 * (arch/x86/include/asm/sigframe.h, docs/linux.md "Signals"): what a
 * handler finds on its stack, and what sigreturn / rt_sigreturn read back.
 *
 * Below the interrupted stack pointer (or the top of the alternate stack)
 * come, from high to low addresses: the FXSAVE image (512 bytes, 64-byte
 * aligned), the legacy x87 image Linux puts before it (112 bytes: FNSAVE
 * layout, then the status word and the magic 0 that says "FXSR data
 * follows"), and the frame itself, placed so that the handler's stack
 * pointer + 4 is 16-byte aligned:
 *
 *   sigframe (without SA_SIGINFO, 732 bytes): pretcode, sig, sigcontext
 *   (88), an unused 624-byte fpstate, extramask (signals 33-64), retcode.
 *   rt_sigframe (SA_SIGINFO, 268 bytes): pretcode, sig, &info, &uc,
 *   siginfo (128), ucontext (uc_flags, uc_link, stack_t, sigcontext,
 *   sigset), retcode.
 *
 * The handler then starts with the x87/SSE state a fresh process has
 * (Linux clears it), and sigreturn restores everything the frame holds:
 * the general registers, EFLAGS (the flags user code may change), FS/GS,
 * the x87 state from the legacy image and MXCSR/XMM from the FXSAVE one.
 *
 * @example
 * const sp = pushFrame(cpu, mem, { sig: 10, rt: true, handler, restorer, ... });
 * // ... the handler runs and returns into rt_sigreturn:
 * const saved = popFrame(cpu, mem, true); // the blocked mask to restore
 */
import { writable } from "../../cpu/runtime/access.ts";
import { loadSegment } from "../../cpu/runtime/system.ts";
import { eflags, setEflags } from "../../cpu/flags.ts";
import { fxsave } from "../../cpu/sse/control.ts";
import {
  AC,
  ARITH_FLAGS,
  CS,
  type Cpu,
  DF,
  DS,
  EAX,
  EBP,
  EBX,
  ECX,
  EDI,
  EDX,
  ES,
  ESI,
  ESP,
  FS,
  GS,
  MXCSR_INIT,
  MXCSR_MASK,
  RF,
  SS,
  TF,
} from "../../cpu/state.ts";
import { loadImage, saveImage } from "../../cpu/x87/instr-env.ts";
import type { Memory } from "../../memory/memory.ts";
import type { AltStack, SigInfoWords } from "../signals.ts";

/** Sizes and offsets of the frames (bytes). */
const SIGCONTEXT = 88, SIGINFO = 128, FREGS = 112, FXSAVE = 512;
const RT_FRAME = 268, FRAME = 732;
const RT_INFO = 16, RT_UC = 144, UC_STACK = 8, UC_MCONTEXT = 20, UC_SIGMASK = 108;
const FRAME_SC = 8, FRAME_EXTRAMASK = 720;
/** sigcontext's fpstate field. */
const SC_FPSTATE = 76;
/** __NR_sigreturn and __NR_rt_sigreturn. */
const NR_SIGRETURN = 119, NR_RT_SIGRETURN = 173;
/** The flags sigreturn takes from the frame (Linux's FIX_EFLAGS). */
const FIX_EFLAGS = ARITH_FLAGS | AC | DF | TF | RF;
/** SS_ONSTACK / SS_DISABLE / SS_AUTODISARM in stack_t.ss_flags. */
export const SS_ONSTACK = 1, SS_DISABLE = 2, SS_AUTODISARM = 0x80000000;

/** Why the CPU entered the kernel, as sigcontext's trapno/err/cr2 say (0s for a signal sent by someone). */
export interface TrapInfo {
  trapno: number;
  err: number;
  cr2: number;
}

/** What a new frame needs besides the CPU. */
export interface FrameSpec {
  sig: number;
  /** SA_SIGINFO: an rt_sigframe, with siginfo and ucontext. */
  rt: boolean;
  handler: number;
  /** sa_restorer when SA_RESTORER is set, else 0 (return through the frame's retcode). */
  restorer: number;
  /** The siginfo words after si_signo and si_errno (see SigInfoWords). */
  info: SigInfoWords;
  /** The mask to restore on return ([1-32, 33-64]). */
  mask: [number, number];
  /** The thread's alternate stack (recorded in the ucontext). */
  altstack: AltStack;
  /** Build the frame at the top of the alternate stack (SA_ONSTACK, and not on it already). */
  onAltstack: boolean;
  trap: TrapInfo;
}

/**
 * Whether `sp` is on the alternate stack `alt` (Linux's on_sig_stack).
 *
 * @example
 * onStack({ sp: 0x1000, flags: 0, size: 0x2000 }, 0x2000); // true
 */
export function onStack(alt: AltStack, sp: number): boolean {
  if (alt.flags & SS_DISABLE || alt.size === 0) return false;
  const off = ((sp >>> 0) - (alt.sp >>> 0));
  return off > 0 && off <= alt.size;
}

/**
 * stack_t.ss_flags as sigaltstack and uc_stack report them for stack pointer `sp`.
 *
 * @example
 * altstackFlags(initialSignals().altstack, sp); // SS_DISABLE
 */
export function altstackFlags(alt: AltStack, sp: number): number {
  if (alt.flags & SS_DISABLE || alt.size === 0) return SS_DISABLE;
  return (onStack(alt, sp) ? SS_ONSTACK : 0) | (alt.flags & SS_AUTODISARM);
}

/**
 * Builds the frame of `f` on the guest stack and points the CPU at the
 * handler. Throws GuestFault (nothing changed in the CPU) when the stack
 * cannot hold it.
 *
 * @example
 * pushFrame(cpu, mem, { sig: SIGUSR1, rt: false, handler: 0x8049000, restorer: 0, info: [0, 100, 1000],
 *   mask: [0, 0], altstack, onAltstack: false, trap: { trapno: 0, err: 0, cr2: 0 } });
 */
export function pushFrame(c: Cpu, m: Memory, f: FrameSpec): number {
  const oldSp = c.r[ESP] >>> 0;
  const top = f.onAltstack ? (f.altstack.sp + f.altstack.size) >>> 0 : oldSp;
  const fx = ((top - FXSAVE) & ~63) >>> 0;
  const fpstate = (fx - FREGS) >>> 0;
  const size = f.rt ? RT_FRAME : FRAME;
  const sp = ((((fpstate - size) >>> 0) + 4) & ~15) - 4 >>> 0;
  for (let a = sp; a < top; a = ((a & ~0xfff) >>> 0) + 0x1000) writable(m, a, 1);

  const frame = new Uint8Array(size);
  const v = new DataView(frame.buffer);
  const retcode = size - 8;
  v.setUint32(0, f.restorer || sp + retcode, true);
  v.setUint32(4, f.sig, true);
  const sc = f.rt ? RT_UC + UC_MCONTEXT : FRAME_SC;
  writeSigcontext(c, v, sc, f.trap, fpstate, f.mask[0]);
  if (f.rt) {
    v.setUint32(8, sp + RT_INFO, true);
    v.setUint32(12, sp + RT_UC, true);
    writeSiginfo(v, RT_INFO, f.sig, f.info);
    // uc_flags 0 (no XSAVE state), uc_link 0, then the alternate stack as it was.
    v.setUint32(RT_UC + UC_STACK, f.altstack.sp, true);
    v.setUint32(RT_UC + UC_STACK + 4, altstackFlags(f.altstack, oldSp), true);
    v.setUint32(RT_UC + UC_STACK + 8, f.altstack.size, true);
    v.setUint32(RT_UC + UC_SIGMASK, f.mask[0], true);
    v.setUint32(RT_UC + UC_SIGMASK + 4, f.mask[1], true);
    // movl $__NR_rt_sigreturn, %eax; int $0x80
    frame.set([0xb8, NR_RT_SIGRETURN, 0, 0, 0, 0xcd, 0x80, 0], retcode);
  } else {
    v.setUint32(FRAME_EXTRAMASK, f.mask[1], true);
    // popl %eax; movl $__NR_sigreturn, %eax; int $0x80
    frame.set([0x58, 0xb8, NR_SIGRETURN, 0, 0, 0, 0xcd, 0x80], retcode);
  }
  const fregs = new Uint8Array(FREGS);
  saveImage(c.fpu, fregs, 0, false);
  new DataView(fregs.buffer).setUint16(108, c.fpu.statusWord(), true); // status; magic 0: FXSR data follows
  m.write(sp, frame);
  m.write(fpstate, fregs);
  fxsave(c, m, fx);

  // The handler: a clean FPU, DF/TF/RF clear, EAX = sig (and EDX/ECX = &info/&uc).
  c.fpu.reset();
  c.mxcsr = MXCSR_INIT;
  c.xmm.fill(0);
  c.ef &= ~(DF | TF | RF);
  c.r[ESP] = sp;
  c.r[EAX] = f.sig;
  c.r[EDX] = f.rt ? sp + RT_INFO : 0;
  c.r[ECX] = f.rt ? sp + RT_UC : 0;
  c.eip = f.handler | 0;
  return sp;
}

function writeSigcontext(c: Cpu, v: DataView, at: number, trap: TrapInfo, fpstate: number, oldmask: number): void {
  const seg = [GS, FS, ES, DS];
  seg.forEach((s, i) => v.setUint16(at + 4 * i, c.sreg[s], true));
  [EDI, ESI, EBP, ESP, EBX, EDX, ECX, EAX].forEach((r, i) => v.setInt32(at + 16 + 4 * i, c.r[r], true));
  v.setUint32(at + 48, trap.trapno, true);
  v.setUint32(at + 52, trap.err, true);
  v.setInt32(at + 56, c.eip, true);
  v.setUint16(at + 60, c.sreg[CS], true);
  v.setUint32(at + 64, eflags(c), true);
  v.setInt32(at + 68, c.r[ESP], true); // sp_at_signal
  v.setUint16(at + 72, c.sreg[SS], true);
  v.setUint32(at + SC_FPSTATE, fpstate, true);
  v.setUint32(at + 80, oldmask, true);
  v.setUint32(at + 84, trap.cr2, true);
}

function writeSiginfo(v: DataView, at: number, sig: number, info: SigInfoWords): void {
  v.setUint32(at, sig, true);
  v.setInt32(at + 8, info[0] ?? 0, true);
  for (let i = 1; i < info.length && 8 + 4 * i < SIGINFO; i++) v.setUint32(at + 8 + 4 * i, info[i] >>> 0, true);
}

/**
 * A siginfo_t (128 bytes) for `sig` with the words `info` (si_code, then
 * the union's fields), as handlers and sigtimedwait receive it.
 *
 * @example
 * siginfoBytes(10, [-6, 100, 1000]); // SIGUSR1 from tgkill by pid 100, uid 1000
 */
export function siginfoBytes(sig: number, info: SigInfoWords): Uint8Array {
  const b = new Uint8Array(SIGINFO);
  writeSiginfo(new DataView(b.buffer), 0, sig, info);
  return b;
}

/**
 * The siginfo words of a siginfo_t a program wrote (rt_sigqueueinfo): si_code and the union's first 6 fields.
 *
 * @example
 * siginfoWords(readStruct(mem, uinfo, 128)); // [si_code, ...fields]
 */
export function siginfoWords(v: DataView): SigInfoWords {
  return [v.getInt32(8, true), ...[12, 16, 20, 24, 28, 32].map((off) => v.getUint32(off, true))];
}

/** What sigreturn found in the frame besides the registers. */
export interface Returned {
  /** The blocked mask to restore. */
  mask: [number, number];
  /** rt_sigreturn: the alternate stack the frame recorded (sigaltstack applies it). */
  altstack?: AltStack;
}

/**
 * Undoes {@link pushFrame}: called at sigreturn (`rt` false: ESP is 8 past
 * the frame, its retcode popped the signal number) or rt_sigreturn (ESP is
 * 4 past it). Restores the registers, flags, FS/GS and FPU state the frame
 * holds (the handler may have changed them) and returns the mask to
 * restore. Throws GuestFault when the frame cannot be read (Linux then
 * kills with SIGSEGV).
 *
 * @example
 * const { mask } = popFrame(cpu, mem, true); // rt_sigreturn
 */
export function popFrame(c: Cpu, m: Memory, rt: boolean): Returned {
  const sp = c.r[ESP] >>> 0;
  const base = rt ? (sp - 4) >>> 0 : (sp - 8) >>> 0;
  const bytes = m.read(base, rt ? RT_FRAME : FRAME);
  const v = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const sc = rt ? RT_UC + UC_MCONTEXT : FRAME_SC;
  const fpstate = v.getUint32(sc + SC_FPSTATE, true);
  // Read everything that can fault before changing anything.
  const fregs = fpstate ? m.read(fpstate, FREGS) : undefined;
  const fxImage = fpstate ? m.read((fpstate + FREGS) >>> 0, FXSAVE) : undefined;
  loadSegment(c, GS, v.getUint16(sc, true));
  loadSegment(c, FS, v.getUint16(sc + 4, true));
  [EDI, ESI, EBP, ESP, EBX, EDX, ECX, EAX].forEach((r, i) => c.r[r] = v.getInt32(sc + 16 + 4 * i, true));
  c.eip = v.getInt32(sc + 56, true);
  setEflags(c, v.getUint32(sc + 64, true), FIX_EFLAGS);
  if (fregs && fxImage) {
    // Linux takes the x87 state from the legacy image and MXCSR/XMM from FXSAVE's.
    loadImage(c.fpu, fregs, 0, false);
    const fv = new DataView(fxImage.buffer, fxImage.byteOffset);
    c.mxcsr = fv.getUint32(24, true) & MXCSR_MASK;
    c.xmm.set(fxImage.subarray(160, 288));
  } else {
    c.fpu.reset();
    c.mxcsr = MXCSR_INIT;
    c.xmm.fill(0);
  }
  if (!rt) {
    return { mask: [v.getUint32(sc + 80, true), v.getUint32(FRAME_EXTRAMASK, true)] };
  }
  return {
    mask: [v.getUint32(RT_UC + UC_SIGMASK, true), v.getUint32(RT_UC + UC_SIGMASK + 4, true)],
    altstack: {
      sp: v.getUint32(RT_UC + UC_STACK, true),
      flags: v.getUint32(RT_UC + UC_STACK + 4, true),
      size: v.getUint32(RT_UC + UC_STACK + 8, true),
    },
  };
}
