-- One wrk script for every scenario, configured by environment variables that
-- bench/run.py sets (so there is no generated Lua):
--   BENCH_METHOD   GET or POST
--   BENCH_PATH     the path; "{id}" becomes a random id in 1..BENCH_ID_MAX
--   BENCH_HEADERS  extra headers, one "Name: value" a line (cookie, token, content type)
--   BENCH_BODY     request body; "{n}" becomes a value unique to the request; several
--                  bodies separated by the character U+001E are sent in turn
--   BENCH_XFF      comma-separated client addresses sent round-robin as X-Forwarded-For
--                  (the app runs with TRUSTED_PROXIES=1 in the flood scenario)
--   BENCH_STAMP    "1": send X-Request-Start: t=<now> as nginx would (whole seconds)
--   BENCH_DELAY_MS a pause before each request of a connection: many connections with a
--                  pause approximate a fixed offered rate (wrk itself is closed loop)
-- done() prints one line "BENCHJSON {...}" with the percentiles in microseconds and the
-- count of each HTTP status, which run.py parses.

local method = os.getenv("BENCH_METHOD") or "GET"
local path = os.getenv("BENCH_PATH") or "/healthz"
local body = os.getenv("BENCH_BODY")
local id_max = tonumber(os.getenv("BENCH_ID_MAX") or "1")
local stamp = os.getenv("BENCH_STAMP") == "1"
local base_headers = {}
for line in string.gmatch(os.getenv("BENCH_HEADERS") or "", "[^\n]+") do
  local name, value = string.match(line, "^([^:]+):%s*(.*)$")
  if name then base_headers[name] = value end
end
local addresses = {}
for address in string.gmatch(os.getenv("BENCH_XFF") or "", "[^,]+") do
  table.insert(addresses, address)
end
if body == "" then body = nil end
local bodies = {}
for alternative in string.gmatch(body or "", "[^\30]+") do
  table.insert(bodies, alternative)
end
local pause = tonumber(os.getenv("BENCH_DELAY_MS") or "0")
if pause > 0 then
  function delay()
    return math.random(math.floor(pause / 2), pause + math.floor(pause / 2))
  end
end

local threads = {}
local next_thread = 0

function setup(thread)
  next_thread = next_thread + 1
  thread:set("tid", next_thread)
  table.insert(threads, thread)
end

function init(args)
  statuses = {}
  sent = 0
  math.randomseed(os.time() * 100 + (tid or 0))
end

function request()
  sent = sent + 1
  local headers = {}
  for name, value in pairs(base_headers) do headers[name] = value end
  if #addresses > 0 then
    headers["X-Forwarded-For"] = addresses[(sent + (tid or 0)) % #addresses + 1]
  end
  if stamp then headers["X-Request-Start"] = "t=" .. os.time() end
  local target = path
  if string.find(target, "{id}", 1, true) then
    target = string.gsub(target, "{id}", tostring(math.random(1, id_max)))
  end
  local payload = body
  if #bodies > 1 then payload = bodies[(sent + (tid or 0)) % #bodies + 1] end
  if payload then
    payload = string.gsub(payload, "{n}", (tid or 0) .. "-" .. sent)
  end
  return wrk.format(method, target, headers, payload)
end

function response(status, headers, body)
  statuses[status] = (statuses[status] or 0) + 1
end

function done(summary, latency, requests)
  local counts = {}
  for _, thread in ipairs(threads) do
    local got = thread:get("statuses") or {}
    for status, n in pairs(got) do
      counts[status] = (counts[status] or 0) + n
    end
  end
  local parts = {}
  for status, n in pairs(counts) do
    table.insert(parts, string.format('"%d": %d', status, n))
  end
  local e = summary.errors
  io.write(string.format(
    'BENCHJSON {"requests": %d, "duration_us": %d, "bytes": %d, ' ..
    '"p50": %d, "p90": %d, "p95": %d, "p99": %d, "max": %d, "mean": %.1f, ' ..
    '"socket_errors": {"connect": %d, "read": %d, "write": %d, "timeout": %d}, ' ..
    '"non_2xx_3xx": %d, "statuses": {%s}}\n',
    summary.requests, summary.duration, summary.bytes,
    latency:percentile(50), latency:percentile(90), latency:percentile(95),
    latency:percentile(99), latency.max, latency.mean,
    e.connect, e.read, e.write, e.timeout, e.status, table.concat(parts, ", ")))
end
