-- A CPU benchmark for the Lua interpreter (tests/bench/workloads.ts):
-- table inserts and sorts, string formatting and concatenation, integer
-- bit arithmetic and float arithmetic, in `n` rounds (the first argument).
-- It prints integers and fixed-format floats only, so the i386 build (x87)
-- and the amd64 one (SSE2) print the same line.
local n = math.tointeger(tonumber(arg[1])) or error("usage: lua cpu.lua ROUNDS")

local function fib(k) if k < 2 then return k end return fib(k - 1) + fib(k - 2) end

local hash, words, x, kept = 0, {}, 0.0, 0
for i = 1, n do
  local s = string.format("%d:%x", i, i * 7919 % 65521)
  words[#words + 1] = s
  hash = (hash * 31 + #s + (i ~ (i >> 3))) & 0xffffffff
  x = x + (i % 7) / (i % 13 + 1) * 0.5 - math.sqrt(i) / (i + 1)
  if #words == 500 then
    table.sort(words)
    local joined = table.concat(words, ",")
    hash = (hash ~ #joined ~ joined:byte(#joined // 2)) & 0xffffffff
    local upper = {}
    for k, w in ipairs(words) do
      if k % 3 == 0 then upper[#upper + 1] = w:upper():sub(2):rep(2) end
    end
    kept = kept + #upper
    words = {}
    hash = (hash + fib(12)) & 0xffffffff
  end
end
print(n, hash, kept, string.format("%.6f", x))
