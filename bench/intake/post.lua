-- wrk script for bench/intake/run.sh: POSTs complete surrender applications to /apply, as the
-- public form does (urlencoded fields, the hidden csrf_token and lang, the form cookie).
--
-- Environment (read once per wrk thread):
--   BENCH_CSRF_TOKEN   the token of the form served by GET /apply (valid 2 hours, reusable)
--   BENCH_FORM_COOKIE  "NAME=VALUE" of the form cookie set by that GET
--   BENCH_PATH         request path (default /apply)
--   BENCH_VARIANT      "invalid": group_size=0, so lifeline parses the form, checks the token,
--                      validates and answers 422 with the form again, storing nothing (run.sh
--                      BREAKDOWN=1 uses it to show the cost of the form path without intake)
-- The same script drives the nginx reference, which ignores all of it and answers 204.
--
-- Every request carries a different contact (so no two applications are the same person for
-- the per-contact limiter); the other fields and the ~500-byte Cyrillic free text are fixed.
-- response() counts statuses per thread; done() sums the threads and prints one "BENCH ..."
-- line that run.sh parses (latency in microseconds).

local token = os.getenv("BENCH_CSRF_TOKEN") or ""
local cookie = os.getenv("BENCH_FORM_COOKIE") or ""
local path = os.getenv("BENCH_PATH") or "/apply"
local invalid = os.getenv("BENCH_VARIANT") == "invalid"

local function urlencode(s)
  return (s:gsub("[^%w%-%._~]", function(c) return string.format("%%%02X", string.byte(c)) end))
end

-- Fixed fields, in the order the form shows them; contact is filled in per request.
local fields = {
  { "csrf_token", token },
  { "lang", "ru" },
  { "status", "mobilised" },
  { "deployment_date", "2024-03-15" },
  { "unit", "в/ч 71718, 3-й мотострелковый батальон, 2-я рота" },
  { "rank", "рядовой, стрелок-помощник гранатомётчика" },
  { "area", "Запорожская область, окрестности села Работино, лесополоса к югу от дороги" },
  { "group", "group" },
  { "group_size", invalid and "0" or "3" },
  { "contact_window", "после 22:00 по Москве, только сообщениями" },
  { "after_capture", "exchange" },
  { "heard_from", "канал в Телеграме" },
}
-- About 500 bytes of UTF-8 Cyrillic (two bytes a letter). run.sh greps the database for parts of it.
local free_text =
  "Меня мобилизовали осенью, учебки не было, через две недели отправили на передок. " ..
  "Со мной ещё двое из моего взвода, мы хотим сдаться все вместе, оружие бросим. " ..
  "Позиция у нас на краю лесополосы, ночью выходим за водой к разбитому мосту. " ..
  "Пожалуйста, скажите, как подать знак дрону, чтобы нас не убили."

local prefix = {}
for _, kv in ipairs(fields) do prefix[#prefix + 1] = kv[1] .. "=" .. urlencode(kv[2]) end
local body_head = table.concat(prefix, "&") .. "&free_text=" .. urlencode(free_text) .. "&contact="
local headers = {
  ["Content-Type"] = "application/x-www-form-urlencoded",
  ["Cookie"] = cookie,
}

-- Per-thread state (each wrk thread has its own Lua state).
local threads = {}
local counter = 0
ok2xx = 0
receipts = 0
s4xx = 0
s5xx = 0
other = 0
thread_id = 0

function setup(thread)
  thread:set("thread_id", #threads + 1)
  table.insert(threads, thread)
end

function request()
  counter = counter + 1
  -- A Russian mobile number, distinct per request: +7 9TC CCC-CC-CC (T thread, C counter);
  -- thread 1's first is +7 910 000-00-01.
  local n = string.format("%d%08d", thread_id % 10, counter)
  local contact = "+7 9" .. n:sub(1, 2) .. " " .. n:sub(3, 5) .. "-" .. n:sub(6, 7) .. "-" .. n:sub(8, 9)
  return wrk.format("POST", path, headers, body_head .. urlencode(contact))
end

-- A receipt on the page: the marker (found as plain text, which is cheap: wrk runs on the same
-- two cores as the server, so a pattern search over every page would be counted against it),
-- then five groups of five digits right after it.
local receipt_marker = 'class="receipt"><code>'
local receipt_digits = '^%d%d%d%d%d%-%d%d%d%d%d%-%d%d%d%d%d%-%d%d%d%d%d%-%d%d%d%d%d</code>'

local function has_receipt(body)
  local at = string.find(body, receipt_marker, 1, true)
  return at ~= nil and string.find(body, receipt_digits, at + #receipt_marker) ~= nil
end

function response(status, hdrs, body)
  if status >= 200 and status < 300 then
    ok2xx = ok2xx + 1
    if body and has_receipt(body) then receipts = receipts + 1 end
  elseif status >= 400 and status < 500 then
    s4xx = s4xx + 1
  elseif status >= 500 then
    s5xx = s5xx + 1
  else
    other = other + 1
  end
end

function done(summary, latency, requests)
  local t = { ok2xx = 0, receipts = 0, s4xx = 0, s5xx = 0, other = 0 }
  for _, th in ipairs(threads) do
    for k, _ in pairs(t) do t[k] = t[k] + (th:get(k) or 0) end
  end
  local e = summary.errors
  io.write(string.format(
    "BENCH requests=%d duration_us=%d ok2xx=%d receipts=%d s4xx=%d s5xx=%d other=%d " ..
    "err_connect=%d err_read=%d err_write=%d err_status=%d err_timeout=%d " ..
    "p50_us=%d p90_us=%d p99_us=%d p999_us=%d max_us=%d mean_us=%.0f\n",
    summary.requests, summary.duration, t.ok2xx, t.receipts, t.s4xx, t.s5xx, t.other,
    e.connect, e.read, e.write, e.status, e.timeout,
    latency:percentile(50), latency:percentile(90), latency:percentile(99), latency:percentile(99.9),
    latency.max, latency.mean))
end
