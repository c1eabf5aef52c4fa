#include "public_site/pages.hpp"

#include <algorithm>
#include <ctime>
#include <map>
#include <mutex>
#include <string>
#include <tuple>
#include <utility>

#include <fmt/format.h>

#include "public_site/html.hpp"

namespace lifeline::public_site {
namespace {

constexpr std::string_view kLayout = R"(<!DOCTYPE html>
<html lang="{{lang}}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="no-referrer">
<title>{{title}} — {{site}}</title>
<link rel="icon" href="data:,">
<link rel="stylesheet" href="/static/site.css">
</head>
<body>
<header class="top">
<p class="brand"><a href="/">{{site}}</a></p>
<p class="tagline">{{tagline}}</p>
<nav class="langs" aria-label="{{lang_switch}}">{{lang_switch}} {{lang_links}}</nav>
<nav class="menu">
<ul>{{menu}}</ul>
</nav>
</header>
<main>
{{main}}
</main>
<footer>
<p>{{footer_verify}} <a href="/channels">{{nav_channels}}</a></p>
<p>{{footer_tech}}</p>
</footer>
</body>
</html>
)";

std::string LangLinks(const PageContext& ctx) {
    std::string out;
    for (const Lang lang : AllLangs()) {
        const std::string_view code = LangCode(lang);
        const std::string_view name = StringsFor(lang).lang_name;
        if (!out.empty()) out += " ";
        if (lang == ctx.lang) {
            out += Fill(R"(<strong lang="{{code}}" aria-current="true">{{name}}</strong>)",
                        {{"code", code}, {"name", name}});
        } else {
            const std::string href = ctx.path + "?lang=" + std::string(code);
            out += Fill(R"(<a href="{{href}}" hreflang="{{code}}" lang="{{code}}">{{name}}</a>)",
                        {{"href", href}, {"code", code}, {"name", name}});
        }
    }
    return out;
}

std::string Menu(const PageContext& ctx, const Strings& s) {
    const std::pair<std::string_view, std::string_view> items[] = {
        {"/", s.nav_home},           {"/apply", s.nav_apply},       {"/inquiry", s.nav_inquiry},
        {"/followup", s.nav_followup}, {"/channels", s.nav_channels},
    };
    std::string out;
    for (const auto& [href, label] : items) {
        const std::string_view current = href == ctx.path ? R"( aria-current="page")" : "";
        out += Fill(R"(<li><a href="{{href}}"{{current}}>{{label}}</a></li>)",
                    {{"href", href}, {"current", Raw{current}}, {"label", label}});
    }
    return out;
}

std::string List(std::string_view tag, const std::vector<std::string_view>& items) {
    std::string out = "<" + std::string(tag) + ">\n";
    for (const auto item : items) out += Fill("<li>{{item}}</li>\n", {{"item", item}});
    out += "</" + std::string(tag) + ">\n";
    return out;
}

std::string Notices(const std::vector<Notice>& notices) {
    std::string out;
    for (const auto& n : notices) {
        if (n.kind == Notice::Kind::kError) {
            out += Fill(R"(<p class="notice error" role="alert">{{text}}</p>)" "\n", {{"text", n.text}});
        } else {
            out += Fill(R"(<p class="notice success" role="status">{{text}}</p>)" "\n", {{"text", n.text}});
        }
    }
    return out;
}

std::string HiddenInputs(std::string_view csrf_token, Lang lang) {
    return Fill(R"(<input type="hidden" name="csrf_token" value="{{token}}">)"
                "\n"
                R"(<input type="hidden" name="lang" value="{{lang}}">)"
                "\n",
                {{"token", csrf_token}, {"lang", LangCode(lang)}});
}

std::string_view ValueOf(const FormValues& values, std::string_view name) {
    const auto it = values.find(name);
    return it == values.end() ? std::string_view{} : std::string_view(it->second);
}

std::string_view OptionLabel(const Strings& s, std::string_view field, std::string_view value) {
    const std::string key = std::string(field) + "." + std::string(value);
    const auto it = s.options.find(key);
    return it == s.options.end() ? value : it->second;
}

/// The describedby ids and the error paragraph of one field.
struct FieldExtras {
    std::string hint_html;
    std::string error_html;
    std::string aria;  ///< attributes for the control (already escaped)
    bool invalid = false;
};

FieldExtras Extras(std::string_view id, std::string_view hint, const std::string* error) {
    FieldExtras x;
    std::string describedby;
    if (!hint.empty()) {
        x.hint_html = Fill(R"(<p class="hint" id="h-{{id}}">{{hint}}</p>)" "\n", {{"id", id}, {"hint", hint}});
        describedby = "h-" + std::string(id);
    }
    if (error != nullptr) {
        x.error_html = Fill(R"(<p class="error" id="e-{{id}}">{{error}}</p>)" "\n", {{"id", id}, {"error", *error}});
        if (!describedby.empty()) describedby += " ";
        describedby += "e-" + std::string(id);
        x.invalid = true;
    }
    if (!describedby.empty()) x.aria = Fill(R"( aria-describedby="{{ids}}")", {{"ids", describedby}});
    if (x.invalid) x.aria += R"( aria-invalid="true")";
    return x;
}

std::string RenderControl(const Strings& s, std::string_view name, std::string_view value, const FieldExtras& x) {
    const FieldUi ui = UiOf(name);
    switch (ui.control) {
        case Control::kTextarea:
            // The newline after the opening tag is eaten by the HTML parser, so a value that
            // starts with a newline keeps it.
            return Fill("<textarea id=\"f-{{name}}\" name=\"{{name}}\" rows=\"6\"{{aria}}>\n{{value}}</textarea>\n",
                        {{"name", name}, {"aria", Raw{x.aria}}, {"value", value}});
        case Control::kSelect: {
            std::string options = Fill(R"(<option value="">{{choose}}</option>)", {{"choose", s.choose}});
            for (const auto option : ui.options) {
                const std::string_view selected = option == value ? " selected" : "";
                options += Fill(R"(<option value="{{option}}"{{selected}}>{{label}}</option>)",
                                {{"option", option},
                                 {"selected", Raw{selected}},
                                 {"label", OptionLabel(s, name, option)}});
            }
            return Fill("<select id=\"f-{{name}}\" name=\"{{name}}\"{{aria}}>{{options}}</select>\n",
                        {{"name", name}, {"aria", Raw{x.aria}}, {"options", Raw{options}}});
        }
        case Control::kDate:
        case Control::kNumber:
            return Fill(R"(<input type="text" inputmode="numeric" id="f-{{name}}" name="{{name}}" )"
                        R"(value="{{value}}"{{aria}}>)"
                        "\n",
                        {{"name", name}, {"value", value}, {"aria", Raw{x.aria}}});
        case Control::kText: break;
    }
    return Fill(R"(<input type="text" id="f-{{name}}" name="{{name}}" value="{{value}}"{{aria}}>)" "\n",
                {{"name", name}, {"value", value}, {"aria", Raw{x.aria}}});
}

std::string RenderField(const Strings& s, CaseKind kind, std::string_view name, const FormValues& values,
                        const std::map<std::string, FieldProblem, std::less<>>& problems, const UploadLimits& uploads) {
    const auto label = FieldLabel(s, kind, name);
    std::string_view hint;
    const std::string key = (kind == CaseKind::kRelativeInquiry ? "inquiry." : "") + std::string(name);
    if (auto it = s.fields.find(key); it != s.fields.end()) {
        hint = it->second.hint;
    } else if (auto it2 = s.fields.find(name); it2 != s.fields.end()) {
        hint = it2->second.hint;
    }
    std::string error;
    const auto problem = problems.find(name);
    if (problem != problems.end()) error = ProblemText(s, problem->second, uploads);
    const FieldExtras x = Extras(name, hint, problem != problems.end() ? &error : nullptr);
    return Fill("<div class=\"field{{cls}}\">\n<label for=\"f-{{name}}\">{{label}}</label>\n"
                "{{hint}}{{error}}{{control}}</div>\n",
                {{"cls", Raw{x.invalid ? " invalid" : ""}},
                 {"name", name},
                 {"label", label},
                 {"hint", Raw{x.hint_html}},
                 {"error", Raw{x.error_html}},
                 {"control", Raw{RenderControl(s, name, ValueOf(values, name), x)}}});
}

std::string RenderPhotoInputs(const Strings& s, const std::map<std::string, FieldProblem, std::less<>>& problems,
                              const UploadLimits& uploads) {
    const std::string hint = Substitute(Substitute(s.photos_hint, "{n}", std::to_string(uploads.max_files)), "{mb}",
                                        std::to_string(uploads.max_file_bytes >> 20));
    std::string error;
    const auto problem = problems.find(kPhotoField);
    if (problem != problems.end()) error = ProblemText(s, problem->second, uploads);
    const FieldExtras x = Extras(kPhotoField, hint, problem != problems.end() ? &error : nullptr);
    std::string inputs;
    for (std::size_t i = 0; i < uploads.max_files; ++i) {
        inputs += Fill(R"(<input type="file" name="{{name}}" accept="image/jpeg,image/png" )"
                       R"(aria-labelledby="l-photo"{{aria}}>)"
                       "\n",
                       {{"name", kPhotoField}, {"aria", Raw{x.aria}}});
    }
    return Fill("<fieldset class=\"field photos{{cls}}\">\n<legend id=\"l-photo\">{{label}}</legend>\n"
                "{{hint}}{{error}}{{inputs}}</fieldset>\n",
                {{"cls", Raw{x.invalid ? " invalid" : ""}},
                 {"label", s.photos_label},
                 {"hint", Raw{x.hint_html}},
                 {"error", Raw{x.error_html}},
                 {"inputs", Raw{inputs}}});
}

/// The section a field opens, if it opens one.
std::string_view SectionBefore(const Strings& s, CaseKind kind, std::string_view field) {
    if (kind == CaseKind::kRelativeInquiry) {
        if (field == "seeker_name") return s.section_seeker;
        if (field == "sought_name") return s.section_sought;
        return {};
    }
    if (field == "status") return s.section_service;
    if (field == "area") return s.section_exit;
    if (field == "heard_from") return s.section_contact;
    return {};
}

std::string FormatIsoTime(std::int64_t unix_ms) {
    const std::time_t seconds = static_cast<std::time_t>(unix_ms / 1000);
    std::tm tm{};
    if (::gmtime_r(&seconds, &tm) == nullptr) return {};
    return fmt::format("{:04}-{:02}-{:02}T{:02}:{:02}Z", tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour,
                       tm.tm_min);
}

}  // namespace

std::string_view FieldLabel(const Strings& s, CaseKind kind, std::string_view field) {
    if (kind == CaseKind::kRelativeInquiry) {
        const std::string key = "inquiry." + std::string(field);
        if (auto it = s.fields.find(key); it != s.fields.end()) return it->second.label;
    }
    if (auto it = s.fields.find(field); it != s.fields.end()) return it->second.label;
    return field;
}

std::string ProblemText(const Strings& s, FieldProblem problem, const UploadLimits& uploads) {
    switch (problem) {
        case FieldProblem::kTooLong: return std::string(s.error_too_long);
        case FieldProblem::kBadDate: return std::string(s.error_date);
        case FieldProblem::kBadGroupSize: return std::string(s.error_group_size);
        case FieldProblem::kBadChoice: return std::string(s.error_choice);
        case FieldProblem::kBadText: return std::string(s.error_text);
        case FieldProblem::kNeedContact: return std::string(s.error_need_contact);
        case FieldProblem::kTooManyFiles:
            return Substitute(s.error_too_many_files, "{n}", std::to_string(uploads.max_files));
        case FieldProblem::kFileTooLarge:
            return Substitute(s.error_file_too_large, "{mb}", std::to_string(uploads.max_file_bytes >> 20));
        case FieldProblem::kNotImage: return std::string(s.error_not_image);
        case FieldProblem::kBadImage: return std::string(s.error_bad_image);
        case FieldProblem::kImageTooLarge: return std::string(s.error_image_too_large);
        case FieldProblem::kEmptyMessage: return std::string(s.message_empty);
    }
    return std::string(s.error_bad_form);
}

std::string RateLimitedText(const Strings& s, Lang lang, std::int64_t retry_after_seconds) {
    const long long minutes = std::max<long long>(1, (retry_after_seconds + 59) / 60);
    return Substitute(Substitute(s.error_rate_limited, "{n}", std::to_string(minutes)), "{minutes}",
                      MinutesWord(s, lang, minutes));
}

std::string FormatTime(std::int64_t unix_ms) {
    const std::time_t seconds = static_cast<std::time_t>(unix_ms / 1000);
    std::tm tm{};
    if (::gmtime_r(&seconds, &tm) == nullptr) return {};
    return fmt::format("{:04}-{:02}-{:02} {:02}:{:02} UTC", tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour,
                       tm.tm_min);
}

std::string RenderLayout(const PageContext& ctx, std::string_view title, std::string_view main_html) {
    const Strings& s = StringsFor(ctx.lang);
    return Fill(kLayout, {{"lang", LangCode(ctx.lang)},
                          {"title", title},
                          {"site", s.site_name},
                          {"tagline", s.tagline},
                          {"lang_switch", s.lang_switch},
                          {"lang_links", Raw{LangLinks(ctx)}},
                          {"menu", Raw{Menu(ctx, s)}},
                          {"main", Raw{main_html}},
                          {"footer_verify", s.footer_verify},
                          {"nav_channels", s.nav_channels},
                          {"footer_tech", s.footer_tech}});
}

std::string RenderHome(const PageContext& ctx) {
    const Strings& s = StringsFor(ctx.lang);
    const std::string main = Fill(R"(<h1>{{title}}</h1>
<p class="lead">{{lead}}</p>
<p class="actions"><a class="button" href="/apply">{{cta_apply}}</a>
<a class="button secondary" href="/inquiry">{{cta_inquiry}}</a></p>
<section>
<h2>{{guarantees_title}}</h2>
{{guarantees}}</section>
<section>
<h2>{{steps_title}}</h2>
{{steps}}</section>
<section>
<h2>{{safety_title}}</h2>
{{safety}}</section>
<section>
<h2>{{relatives_title}}</h2>
<p>{{relatives}}</p>
<p><a href="/inquiry">{{cta_inquiry}}</a></p>
</section>
<ul class="links">
<li><a href="/followup">{{cta_followup}}</a></li>
<li><a href="/channels">{{cta_channels}}</a></li>
</ul>
)",
                                  {{"title", s.home_title},
                                   {"lead", s.home_lead},
                                   {"cta_apply", s.home_cta_apply},
                                   {"cta_inquiry", s.home_cta_inquiry},
                                   {"guarantees_title", s.home_guarantees_title},
                                   {"guarantees", Raw{List("ul", s.home_guarantees)}},
                                   {"steps_title", s.home_steps_title},
                                   {"steps", Raw{List("ol", s.home_steps)}},
                                   {"safety_title", s.home_safety_title},
                                   {"safety", Raw{List("ul", s.home_safety)}},
                                   {"relatives_title", s.home_relatives_title},
                                   {"relatives", s.home_relatives},
                                   {"cta_followup", s.home_cta_followup},
                                   {"cta_channels", s.home_cta_channels}});
    return RenderLayout(ctx, s.home_title, main);
}

std::string RenderChannels(const PageContext& ctx, const std::vector<OfficialChannel>& channels,
                           std::string_view extra_note) {
    const Strings& s = StringsFor(ctx.lang);
    std::string list;
    if (channels.empty()) {
        list = Fill("<p>{{empty}}</p>\n", {{"empty", s.channels_empty}});
    } else {
        list = "<dl class=\"channels\">\n";
        for (const auto& c : channels) {
            const bool web = c.address.starts_with("https://") || c.address.starts_with("http://");
            if (web) {
                list += Fill(R"(<dt>{{label}}</dt><dd><a href="{{address}}" rel="noreferrer noopener">)"
                             R"(<code>{{address}}</code></a></dd>)"
                             "\n",
                             {{"label", c.label}, {"address", c.address}});
            } else {
                list += Fill("<dt>{{label}}</dt><dd><code>{{address}}</code></dd>\n",
                             {{"label", c.label}, {"address", c.address}});
            }
        }
        list += "</dl>\n";
    }
    const std::string note = extra_note.empty() ? std::string() : Fill("<p>{{note}}</p>\n", {{"note", extra_note}});
    const std::string main = Fill("<h1>{{title}}</h1>\n<p class=\"lead\">{{lead}}</p>\n{{list}}"
                                  "<p class=\"notice warning\">{{verify}}</p>\n{{note}}",
                                  {{"title", s.channels_title},
                                   {"lead", s.channels_lead},
                                   {"list", Raw{list}},
                                   {"verify", s.channels_verify},
                                   {"note", Raw{note}}});
    return RenderLayout(ctx, s.channels_title, main);
}

std::string RenderForm(const PageContext& ctx, const FormView& view) {
    const Strings& s = StringsFor(ctx.lang);
    const bool inquiry = view.kind == CaseKind::kRelativeInquiry;
    std::string fields;
    bool section_open = false;
    for (const auto& spec : intake::FormFields(view.kind)) {
        const std::string_view section = SectionBefore(s, view.kind, spec.name);
        if (!section.empty()) {
            if (section_open) fields += "</fieldset>\n";
            fields += Fill("<fieldset>\n<legend>{{legend}}</legend>\n", {{"legend", section}});
            section_open = true;
        }
        fields += RenderField(s, view.kind, spec.name, view.values, view.problems, view.uploads);
    }
    // Both forms take photos: of a document, of the person sought, of a sign.
    if (view.uploads.max_files > 0) fields += RenderPhotoInputs(s, view.problems, view.uploads);
    if (section_open) fields += "</fieldset>\n";

    const std::string_view title = inquiry ? s.inquiry_title : s.apply_title;
    const std::string main = Fill(R"(<h1>{{title}}</h1>
<p class="lead">{{lead}}</p>
{{notices}}<form method="post" action="{{action}}"{{enctype}} accept-charset="utf-8" autocomplete="off">
{{hidden}}<p class="note">{{optional}}</p>
{{fields}}<p class="note">{{privacy}}</p>
<p><button type="submit">{{submit}}</button></p>
</form>
)",
                                  {{"title", title},
                                   {"lead", inquiry ? s.inquiry_lead : s.apply_lead},
                                   {"notices", Raw{Notices(view.notices)}},
                                   {"action", inquiry ? "/inquiry" : "/apply"},
                                   {"enctype", Raw{R"( enctype="multipart/form-data")"}},
                                   {"hidden", Raw{HiddenInputs(view.csrf_token, ctx.lang)}},
                                   {"optional", s.optional_note},
                                   {"fields", Raw{fields}},
                                   {"privacy", s.privacy_note},
                                   {"submit", inquiry ? s.submit_inquiry : s.submit_application}});
    return RenderLayout(ctx, title, main);
}

namespace {

std::string RenderReceiptWith(const PageContext& ctx, CaseKind kind, SlotValue receipt) {
    const Strings& s = StringsFor(ctx.lang);
    const auto& next = kind == CaseKind::kRelativeInquiry ? s.receipt_next_inquiry : s.receipt_next_application;
    const std::string main = Fill(R"(<h1>{{title}}</h1>
<p>{{code_label}}</p>
<p class="receipt"><code>{{receipt}}</code></p>
<p class="notice warning"><strong>{{warning}}</strong></p>
<h2>{{next_title}}</h2>
{{next}}<p><a href="/followup">{{followup}}</a></p>
)",
                                  {{"title", s.receipt_title},
                                   {"code_label", s.receipt_code_label},
                                   {"receipt", receipt},
                                   {"warning", s.receipt_warning},
                                   {"next_title", s.receipt_next_title},
                                   {"next", Raw{List("ol", next)}},
                                   {"followup", s.receipt_followup_link}});
    return RenderLayout(ctx, s.receipt_title, main);
}

}  // namespace

std::string RenderReceipt(const PageContext& ctx, CaseKind kind, std::string_view receipt) {
    // Every receipt page of a language, path and kind is the same but for the receipt: it is
    // rendered once with a marker in its place and then only cut and joined (it is the answer
    // to every application, so it is rendered often).
    constexpr std::string_view kMarker = "\x01receipt\x01";
    static std::mutex mu;
    static std::map<std::tuple<Lang, std::string, CaseKind>, std::pair<std::string, std::string>> cache;
    const std::pair<std::string, std::string>* halves = nullptr;
    {
        std::lock_guard lock(mu);
        auto key = std::make_tuple(ctx.lang, ctx.path, kind);
        auto it = cache.find(key);
        if (it == cache.end()) {
            const std::string page = RenderReceiptWith(ctx, kind, Raw{kMarker});
            const std::size_t at = page.find(kMarker);
            if (at == std::string::npos) return RenderReceiptWith(ctx, kind, receipt);
            it = cache.emplace(std::move(key), std::make_pair(page.substr(0, at), page.substr(at + kMarker.size())))
                     .first;
        }
        halves = &it->second;  // map nodes stay put; entries are never removed
    }
    std::string out;
    out.reserve(halves->first.size() + receipt.size() + halves->second.size());
    out.append(halves->first);
    AppendEscaped(out, receipt);
    out.append(halves->second);
    return out;
}

std::string RenderLookup(const PageContext& ctx, const LookupView& view) {
    const Strings& s = StringsFor(ctx.lang);
    const std::string main = Fill(R"(<h1>{{title}}</h1>
<p class="lead">{{lead}}</p>
{{notices}}<form method="post" action="/followup" accept-charset="utf-8" autocomplete="off">
{{hidden}}<div class="field">
<label for="f-receipt">{{label}}</label>
<p class="hint" id="h-receipt">{{hint}}</p>
<input type="text" inputmode="numeric" id="f-receipt" name="receipt" value="{{receipt}}" aria-describedby="h-receipt">
</div>
<p><button type="submit">{{open}}</button></p>
</form>
)",
                                  {{"title", s.followup_title},
                                   {"lead", s.followup_lead},
                                   {"notices", Raw{Notices(view.notices)}},
                                   {"hidden", Raw{HiddenInputs(view.csrf_token, ctx.lang)}},
                                   {"label", s.receipt_label},
                                   {"hint", s.receipt_hint},
                                   {"receipt", view.receipt},
                                   {"open", s.followup_open}});
    return RenderLayout(ctx, s.followup_title, main);
}

std::string RenderConversation(const PageContext& ctx, const ConversationView& view) {
    const Strings& s = StringsFor(ctx.lang);
    std::string entries;
    if (view.conversation != nullptr) {
        const auto& c = *view.conversation;
        bool answered = false;
        if (!c.inquiry_answer.empty()) {
            // The answer status comes first: it is what the seeker came back for.
            entries += Fill("<section class=\"answer\">\n<h2>{{title}}</h2>\n<p class=\"notice\">{{text}}</p>\n</section>\n",
                            {{"title", s.inquiry_answer_title}, {"text", OptionLabel(s, "answer", c.inquiry_answer)}});
            answered = true;
        }
        entries += "<ol class=\"conversation\">\n";
        for (const auto& e : c.entries) {
            std::string_view who = s.entry_inbound;
            std::string_view cls = "inbound";
            if (e.kind == "form") {
                who = s.entry_form;
                cls = "form";
            } else if (e.kind == "reply") {
                who = s.entry_reply;
                cls = "reply";
                answered = true;
            }
            std::string body;
            if (!e.fields.empty()) {
                body += "<dl>\n";
                // Known fields in form order, then anything else.
                std::vector<std::string_view> shown;
                for (const auto& spec : intake::FormFields(c.kind)) {
                    const auto it = e.fields.find(std::string(spec.name));
                    if (it == e.fields.end()) continue;
                    shown.push_back(spec.name);
                    const FieldUi ui = UiOf(spec.name);
                    const std::string_view value =
                        ui.control == Control::kSelect ? OptionLabel(s, spec.name, it->second) : it->second;
                    body += Fill("<dt>{{label}}</dt><dd>{{value}}</dd>\n",
                                 {{"label", FieldLabel(s, c.kind, spec.name)}, {"value", value}});
                }
                for (const auto& [name, value] : e.fields) {
                    if (std::find(shown.begin(), shown.end(), name) != shown.end()) continue;
                    body += Fill("<dt>{{label}}</dt><dd>{{value}}</dd>\n", {{"label", name}, {"value", value}});
                }
                body += "</dl>\n";
            }
            if (!e.text.empty()) body += Fill("<p class=\"text\">{{text}}</p>\n", {{"text", e.text}});
            entries += Fill("<li class=\"entry {{cls}}\">\n<p class=\"meta\"><strong>{{who}}</strong> "
                            "<time datetime=\"{{iso}}\">{{time}}</time></p>\n{{body}}</li>\n",
                            {{"cls", cls},
                             {"who", who},
                             {"iso", FormatIsoTime(e.at_ms)},
                             {"time", FormatTime(e.at_ms)},
                             {"body", Raw{body}}});
        }
        entries += "</ol>\n";
        if (!answered) entries += Fill("<p class=\"note\">{{waiting}}</p>\n", {{"waiting", s.conversation_waiting}});
    }

    std::string message_error;
    const auto problem = view.problems.find(kMessageField);
    if (problem != view.problems.end()) message_error = ProblemText(s, problem->second, view.uploads);
    const FieldExtras x = Extras(kMessageField, {}, problem != view.problems.end() ? &message_error : nullptr);
    const std::string photos = view.uploads.max_files > 0 ? RenderPhotoInputs(s, view.problems, view.uploads) : "";

    const std::string main = Fill(R"(<h1>{{title}}</h1>
{{notices}}{{entries}}<h2>{{message_title}}</h2>
<form method="post" action="/followup/message" enctype="multipart/form-data" accept-charset="utf-8" autocomplete="off">
{{hidden}}<input type="hidden" name="receipt" value="{{receipt}}">
<div class="field{{cls}}">
<label for="f-message">{{label}}</label>
{{error}}<textarea id="f-message" name="message" rows="6"{{aria}}>
{{message}}</textarea>
</div>
{{photos}}<p><button type="submit">{{send}}</button></p>
</form>
<p class="note">{{close}}</p>
)",
                                  {{"title", s.conversation_title},
                                   {"notices", Raw{Notices(view.notices)}},
                                   {"entries", Raw{entries}},
                                   {"message_title", s.message_title},
                                   {"hidden", Raw{HiddenInputs(view.csrf_token, ctx.lang)}},
                                   {"receipt", view.receipt},
                                   {"cls", Raw{x.invalid ? " invalid" : ""}},
                                   {"label", s.message_label},
                                   {"error", Raw{x.error_html}},
                                   {"aria", Raw{x.aria}},
                                   {"message", view.message},
                                   {"photos", Raw{photos}},
                                   {"send", s.message_send},
                                   {"close", s.followup_close_hint}});
    return RenderLayout(ctx, s.conversation_title, main);
}

std::string RenderMessagePage(const PageContext& ctx, std::string_view title, const Notice& notice) {
    const std::string main = Fill("<h1>{{title}}</h1>\n{{notice}}<p><a href=\"/\">{{home}}</a></p>\n",
                                  {{"title", title},
                                   {"notice", Raw{Notices({notice})}},
                                   {"home", StringsFor(ctx.lang).nav_home}});
    return RenderLayout(ctx, title, main);
}

}  // namespace lifeline::public_site
