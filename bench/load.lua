-- wrk script: requests come from a file (one per line: METHOD<TAB>PATH<TAB>COOKIE<TAB>BODY),
-- shared out between wrk's threads. With "once" each request is sent at most once and a thread
-- stops when its share runs out (a quiz attempt can be submitted once); otherwise they cycle.
-- done() prints one JSON line that bench/pages.py reads: wrk prints no p95 of its own.
local threads = {}
local counter = 0

function setup(thread)
  thread:set("number", counter)
  counter = counter + 1
  table.insert(threads, thread)
end

function init(args)
  local file, mode = args[1], args[2]
  once = mode == "once"
  mine, index, exhausted = {}, 0, 0
  local line_number = 0
  local thread_count = tonumber(args[3]) or 1
  for line in io.lines(file) do
    if line_number % thread_count == number then
      local method, path, cookie, body = line:match("^([^\t]*)\t([^\t]*)\t([^\t]*)\t?(.*)$")
      local headers = {Cookie = cookie}
      if method == "POST" then headers["Content-Type"] = "application/x-www-form-urlencoded" end
      table.insert(mine, wrk.format(method, path, headers, body ~= "" and body or nil))
    end
    line_number = line_number + 1
  end
end

function request()
  index = index + 1
  if index > #mine then
    if once then
      exhausted = 1
      wrk.thread:stop()
      return mine[#mine]
    end
    index = 1
  end
  return mine[index]
end

function done(summary, latency, requests)
  local exhausted_threads = 0
  for _, thread in ipairs(threads) do exhausted_threads = exhausted_threads + (thread:get("exhausted") or 0) end
  local errors = summary.errors
  io.write(string.format(
    'BENCH {"requests": %d, "duration_us": %d, "p50_us": %d, "p95_us": %d, "errors_connect": %d, ' ..
    '"errors_read": %d, "errors_write": %d, "errors_status": %d, "errors_timeout": %d, "exhausted_threads": %d}\n',
    summary.requests, summary.duration, latency:percentile(50), latency:percentile(95), errors.connect,
    errors.read, errors.write, errors.status, errors.timeout, exhausted_threads))
end
