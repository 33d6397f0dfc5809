-- wrk script: every request is one voter (round robin over the seeded tokens) casting an
-- approval ballot of two distinct projects. Reads TING_TOKENS and TING_PROJECTS.
local threads = {}
local counter = 0

function setup(thread)
  thread:set("tid", counter)
  counter = counter + 1
  table.insert(threads, thread)
end

function init(args)
  tokens = {}
  for line in io.lines(os.getenv("TING_TOKENS")) do tokens[#tokens + 1] = line end
  budget = os.getenv("TING_BUDGET") or "b"
  projects = {}
  for p in string.gmatch(os.getenv("TING_PROJECTS"), "[^,%s]+") do projects[#projects + 1] = p end
  -- Each thread walks its own slice of voters.
  idx = tid * math.floor(#tokens / 8)
  failures = 0
end

function request()
  idx = idx % #tokens + 1
  local a = projects[(idx % #projects) + 1]
  local b = projects[((idx * 7 + 3) % #projects) + 1]
  if a == b then b = projects[((idx + 1) % #projects) + 1] end
  local body = '{"projects":[' .. a .. ',' .. b .. ']}'
  return wrk.format("PUT", "/api/v1/processes/bench/budgets/" .. budget .. "/ballot",
                    { ["Authorization"] = "Bearer " .. tokens[idx], ["Content-Type"] = "application/json" }, body)
end

function response(status, headers, body)
  if status ~= 200 then failures = failures + 1 end
end

function done(summary, latency, requests)
  local failed = 0
  for _, t in ipairs(threads) do failed = failed + (t:get("failures") or 0) end
  io.write(string.format("ballots_ok %d\nballots_failed %d\n", summary.requests - failed, failed))
  io.write(string.format("p50_ms %.2f\np99_ms %.2f\n", latency:percentile(50) / 1000, latency:percentile(99) / 1000))
end
