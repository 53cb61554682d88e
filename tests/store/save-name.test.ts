/**
 * issue 13 point 6: `--save ""` and `--save` over an existing name are
 * refused with one line before the guest runs, and the existing snapshot
 * (and the origin its children name) stays as it was.
 */
import { assert, runtime, test } from "../harness.ts";
import { Store } from "../../core/store/mod.ts";
import { assertOneLine, fx86Env, tempStore } from "./support.ts";

const HELLO = "examples/hello/hello";

test(`save names (${runtime}): an empty name and an existing name are refused before the run`, () => {
  const store = tempStore();
  assert.equal(fx86Env(runtime, ["exec", "--store", store, "--budget", "3000", "--save", "half", HELLO]).status, 124);
  assert.equal(fx86Env(runtime, ["resume", "half", "--store", store, "--save", "done"]).status, 0);
  const before = Store.open(store).getSnapshot("half");
  for (
    const args of [
      ["exec", "--store", store, "--save", "", HELLO],
      ["resume", "half", "--store", store, "--save", ""],
      ["goto", "half", "10", "--store", store, "--save", ""],
    ]
  ) {
    const r = fx86Env(runtime, args);
    assert.equal(r.status, 2, args.join(" "));
    assertOneLine(r.stderr, /^fx86: "" is not a valid snapshot name/);
    assert.equal(r.stdout, "", "the guest did not run");
  }
  for (
    const args of [
      ["exec", "--store", store, "--save", "half", HELLO],
      ["resume", "done", "--store", store, "--save", "half"],
      ["back", "done", "--store", store, "--save", "half"],
    ]
  ) {
    const r = fx86Env(runtime, args);
    assert.equal(r.status, 2, args.join(" "));
    assertOneLine(
      r.stderr,
      new RegExp(`^fx86: snapshot half already exists in ${store}; remove it first \\(fx86 snapshot rm half\\) or choose another name\\.$`),
    );
    assert.equal(r.stdout, "", "the guest did not run");
  }
  const s = Store.open(store);
  assert.deepEqual(s.getSnapshot("half"), before);
  assert.equal(s.getSnapshot("done").origin, "half");
  assert.deepEqual(s.snapshotNames(), ["done", "half"]);
});
