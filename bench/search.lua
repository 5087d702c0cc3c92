-- wrk script: searches of a tenant, the words taken in turn from a list of
-- what committee members look for (some match thousands of entries, some
-- a handful, one nothing). Environment: BENCH_COOKIE, BENCH_SLUG.

local queries = {
  "inspection", "cocoa farms", "forced labour", "debt bondage passport", "hotline",
  "trafficking victim shelter", "minutes", "recruitment fee agency", "\"supply chain\"",
  "prosecutors trained", "brick kilns", "interpreters", "compensation fund", "inspecteurs",
  "birth registration", "fishing vessels", "code of conduct", "guidance", "workshop", "zzqx",
}
local n = 0

function init(args)
  wrk.headers["Cookie"] = os.getenv("BENCH_COOKIE")
  slug = os.getenv("BENCH_SLUG")
end

local function encode(s)
  return (s:gsub("[^%w]", function(c) return string.format("%%%02X", string.byte(c)) end))
end

function request()
  n = n + 1
  local q = queries[(n % #queries) + 1]
  return wrk.format("GET", "/t/" .. slug .. "/search?q=" .. encode(q))
end
