/**
 * A spec's regexes run against what a server sent, and a regex with nested or chained
 * quantifiers (`/(a+)+b/`, `/.*a.*b.*c/`) can backtrack for minutes on a line shaped for it,
 * synchronously, so no step timeout can end it: a misbehaving server would hang the run.
 * V8 can hand a regex that backtracks too much to its linear-time engine, which finds the
 * same matches; these flags turn that on (after 10,000 backtracks in one attempt) for every
 * regex compiled from here on: the program's and the specs'. Set first, before the program is
 * compiled, so the code cache is made and checked under the same flags at every start. The
 * third lets a regex ask for that engine (the `l` flag), which is how the program asks V8
 * whether the engine can run a spec's regex (src/match/linear.ts): those it cannot and that a
 * reply could make backtrack are refused when the spec loads. With the fallback, `/(a+)+b/` on
 * 28 `a`s, half a minute on V8's backtracking engine, ends in milliseconds. V8 ignores flags it
 * does not know, so a Node whose V8 dropped these runs as without them. docs/format.md §5.
 */
export const REGEXP_FLAGS = ['--enable-experimental-regexp-engine-on-excessive-backtracks', '--regexp-backtracks-before-fallback=10000', '--enable-experimental-regexp-engine'];
