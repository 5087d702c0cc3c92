-- wrk script: status updates, each on the version the activity is at, so
-- every POST is a real update. Activities are shared out between threads
-- and taken in turn, so one is never posted to twice at once.
-- Environment: BENCH_ACTIVITIES (a file of "nap activity" lines), BENCH_CSRF,
-- BENCH_COOKIE, BENCH_SLUG, BENCH_VERSION (the version they start at) and
-- BENCH_THREADS (wrk's -t).

local counter = 0

function setup(thread)
  thread:set("id", counter)
  counter = counter + 1
end

function init(args)
  local threads = tonumber(os.getenv("BENCH_THREADS"))
  local mine = {}
  local index = 0
  for line in io.lines(os.getenv("BENCH_ACTIVITIES")) do
    local nap, activity = line:match("(%d+) (%d+)")
    if index % threads == id then
      table.insert(mine, { nap = nap, activity = activity, version = tonumber(os.getenv("BENCH_VERSION")) })
    end
    index = index + 1
  end
  activities = mine
  next_one = 1
  wrk.method = "POST"
  wrk.headers["Content-Type"] = "application/x-www-form-urlencoded"
  wrk.headers["Cookie"] = os.getenv("BENCH_COOKIE")
  slug = os.getenv("BENCH_SLUG")
  csrf = os.getenv("BENCH_CSRF")
end

function request()
  local a = activities[next_one]
  next_one = next_one % #activities + 1
  local body = "csrf=" .. csrf .. "&version=" .. a.version .. "&status=on-track&progress=" .. (a.version % 100)
  a.version = a.version + 1
  local path = "/t/" .. slug .. "/naps/" .. a.nap .. "/activities/" .. a.activity .. "/update"
  return wrk.format("POST", path, nil, body)
end
