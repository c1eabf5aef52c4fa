#include "public_site/public_site.hpp"

#include <algorithm>
#include <exception>

#include <fmt/format.h>

#include "public_site/image.hpp"

namespace lifeline::public_site {
namespace {

constexpr std::string_view kContactContext = "lifeline/v1/public-site/contact";

double PerMinute(const RateLimitRule& rule) {
    const auto minutes = std::max<std::int64_t>(1, rule.per.count());
    return rule.count / static_cast<double>(minutes);
}

bool StartsWithIgnoreCase(std::string_view s, std::string_view prefix) {
    if (s.size() < prefix.size()) return false;
    for (std::size_t i = 0; i < prefix.size(); ++i) {
        char c = s[i];
        if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
        if (c != prefix[i]) return false;
    }
    return true;
}

/// "12345-67890-..." from the 25 digits of a normalised receipt.
std::string GroupReceipt(std::string_view digits) {
    if (digits.size() != 25) return std::string(digits);
    return fmt::format("{}-{}-{}-{}-{}", digits.substr(0, 5), digits.substr(5, 5), digits.substr(10, 5),
                       digits.substr(15, 5), digits.substr(20, 5));
}

/// ReadConversation's answers for a receipt that opens nothing (a malformed one may be reported either way).
bool IsNotFound(ErrorCode code) { return code == ErrorCode::kNotFound || code == ErrorCode::kInvalidArgument; }

int StatusOf(ErrorCode code) { return code == ErrorCode::kUnavailable ? 503 : 500; }

/// Runs an intake call; an exception becomes an internal error value (its text is not shown).
template <typename Fn>
auto Guarded(Fn&& fn) -> decltype(fn()) {
    try {
        return fn();
    } catch (const LifelineError& e) {
        return Error{e.code() == ErrorCode::kUnavailable ? ErrorCode::kUnavailable : ErrorCode::kInternal, "intake"};
    } catch (const std::exception&) {
        return Error{ErrorCode::kInternal, "intake"};
    }
}

}  // namespace

std::string_view PublicSite::Posted::Field(std::string_view name) const {
    const auto it = fields.find(name);
    return it == fields.end() ? std::string_view{} : std::string_view(it->second);
}

PublicSite::PublicSite(intake::IntakeService& intake, const Clock& clock, crypto::SecretKey site_key,
                       PublicSiteConfig config)
    : intake_(intake),
      clock_(clock),
      site_key_(std::move(site_key)),
      contact_hasher_(site_key_, kContactContext),
      config_(std::move(config)),
      tokens_(site_key_.Clone(), config_.form_token_lifetime),
      uploads_{std::min(config_.max_attachments, intake::IntakeService::kMaxAttachments), config_.max_attachment_bytes},
      form_cookie_name_(config_.secure_cookies ? "__Host-lifeline_form" : "lifeline_form"),
      submissions_per_client_(clock, config_.submissions_per_client.count, PerMinute(config_.submissions_per_client)),
      submissions_per_contact_(clock, config_.submissions_per_contact.count,
                               PerMinute(config_.submissions_per_contact)),
      lookups_per_client_(clock, config_.lookups_per_client.count, PerMinute(config_.lookups_per_client)),
      messages_per_receipt_(clock, config_.messages_per_receipt.count, PerMinute(config_.messages_per_receipt)) {}

void PublicSite::Register(http::Router& router) {
    // Pages that need no store run on the I/O thread (answered at once); the forms' intake
    // answers when the store has committed; the follow-up pages read the store and so run on
    // the worker pool.
    const auto now = [](auto page) {
        return [page](http::Request& r, const http::Responder& responder) { responder.Send(page(r)); };
    };
    router.AddAsync("GET", "/", now([this](http::Request& r) { return Home(r); }));
    router.AddAsync("GET", "/channels", now([this](http::Request& r) { return Channels(r); }));
    router.AddAsync("GET", "/apply",
                    now([this](http::Request& r) { return FormPage(r, CaseKind::kSurrenderApplication); }));
    router.AddAsync("POST", "/apply", [this](http::Request& r, const http::Responder& responder) {
        Submit(r, responder, CaseKind::kSurrenderApplication);
    });
    router.AddAsync("GET", "/inquiry", now([this](http::Request& r) { return FormPage(r, CaseKind::kRelativeInquiry); }));
    router.AddAsync("POST", "/inquiry", [this](http::Request& r, const http::Responder& responder) {
        Submit(r, responder, CaseKind::kRelativeInquiry);
    });
    router.AddAsync("GET", "/followup", now([this](http::Request& r) { return LookupPage(r); }));
    router.Add("POST", "/followup", [this](http::Request& r) { return Lookup(r); });
    router.Add("POST", "/followup/message", [this](http::Request& r) { return AddMessage(r); });
    router.AddAsync("GET", "/static/site.css", now([this](http::Request& r) { return Stylesheet(r); }));
    // A visitor who mistypes an address, or reloads /followup/message, gets a page in his
    // language, not JSON. The API and the console answer for themselves.
    router.SetFallbackPage([this](const http::Request& r, http::Response& response) {
        const std::string_view path = r.path;
        if (path == "/api" || path.starts_with("/api/") || path == "/console" || path.starts_with("/console/"))
            return;
        const LangChoice choice = ChooseLang(r);
        const Strings& s = StringsFor(choice.lang);
        http::Response page =
            Page(choice, response.status,
                 RenderMessagePage({choice.lang, "/"}, s.not_found_title,
                                   {Notice::Kind::kError, std::string(s.not_found_text)}),
                 nullptr);
        if (const auto allow = response.headers.Get("Allow")) page.headers.Set("Allow", std::string(*allow));
        response = std::move(page);
    });
}

// ---- helpers ----

PublicSite::FormSession PublicSite::NewFormSession(const http::Request& request) const {
    return FormSessionFor(request.Cookie(form_cookie_name_));
}

PublicSite::FormSession PublicSite::FormSessionFor(const std::optional<std::string>& cookie) const {
    FormSession session;
    std::optional<Bytes> random;
    if (cookie) random = FormTokens::ParseCookie(*cookie);
    if (!random) {
        random = FormTokens::NewRandom();
        session.set_cookie = form_cookie_name_ + "=" + FormTokens::CookieValue(*random) + "; Path=/" +
                             (config_.secure_cookies ? "; Secure" : "") + "; HttpOnly; SameSite=Strict";
    }
    session.token = tokens_.Issue(*random, clock_.Now());
    return session;
}

bool PublicSite::TokenValid(const http::Request& request, const Posted& posted) const {
    return TokenValid(request.Cookie(form_cookie_name_), posted);
}

bool PublicSite::TokenValid(const std::optional<std::string>& cookie, const Posted& posted) const {
    return tokens_.Verify(posted.Field("csrf_token"),
                          cookie ? std::optional<std::string_view>(*cookie) : std::nullopt, clock_.Now());
}

PublicSite::Posted PublicSite::ParseBody(const http::Request& request) const {
    Posted posted;
    const std::string_view content_type = request.Header("Content-Type").value_or("");
    if (StartsWithIgnoreCase(content_type, "multipart/form-data")) {
        auto parsed = ParseMultipart(content_type, request.body, config_.multipart);
        if (!parsed) {
            posted.ok = false;
            return posted;
        }
        posted.fields = std::move(parsed->fields);
        posted.files = std::move(parsed->files);
    } else if (content_type.empty() || StartsWithIgnoreCase(content_type, "application/x-www-form-urlencoded")) {
        // As many fields as a multipart form may have parts: a body of more is refused.
        auto parsed = http::ParseForm(request.body, config_.multipart.max_parts);
        if (!parsed) {
            posted.ok = false;
            return posted;
        }
        posted.fields = std::move(*parsed);
    } else {
        posted.ok = false;
    }
    return posted;
}

void PublicSite::CheckPhotos(const std::vector<FilePart>& files,
                             std::map<std::string, FieldProblem, std::less<>>& problems,
                             std::vector<intake::Attachment>& attachments) const {
    std::vector<const FilePart*> photos;
    for (const auto& f : files) {
        if (f.field == kPhotoField) photos.push_back(&f);
    }
    if (photos.empty()) return;
    const std::string key(kPhotoField);
    if (photos.size() > uploads_.max_files) {
        problems.emplace(key, FieldProblem::kTooManyFiles);
        return;
    }
    for (const FilePart* f : photos) {
        if (f->data.size() > uploads_.max_file_bytes) {
            problems.emplace(key, FieldProblem::kFileTooLarge);
            return;
        }
        CleanImage clean = SanitizeImage(AsBytes(f->data));
        if (!clean.ok()) {
            problems.emplace(key, clean.problem == ImageProblem::kNotImage   ? FieldProblem::kNotImage
                                  : clean.problem == ImageProblem::kTooLarge ? FieldProblem::kImageTooLarge
                                                                             : FieldProblem::kBadImage);
            return;
        }
        attachments.push_back(intake::Attachment{std::move(clean.mime), std::move(clean.data)});
    }
}

namespace {

// 15 bytes (120 bits) of a keyed hash, as raw bytes: short enough to live inside the std::string
// (no allocation per limiter entry, 100,000 of which may be kept), far too long to collide.
std::string LimiterKey(const Bytes& hash) { return std::string(AsString(ByteView(hash).first(15))); }

}  // namespace

std::string PublicSite::ContactKey(std::string_view contact) const {
    // A contact never starts with a control character, so the other keys below, which do,
    // cannot meet a contact's.
    return LimiterKey(contact_hasher_.Hash(AsBytes(NormalizeContact(contact))));
}

std::string PublicSite::AnswersKey(const FormValues& clean) const {
    std::string all(std::string_view("\x01" "answers"));
    for (const auto& [name, value] : clean) {
        all += '\0';
        all += name;
        all += '\0';
        all += value;
    }
    return LimiterKey(contact_hasher_.Hash(AsBytes(all)));
}

std::string PublicSite::ReceiptKey(std::string_view normalized_receipt) const {
    std::string text("\x02" "receipt\0", 9);
    text += normalized_receipt;
    return LimiterKey(contact_hasher_.Hash(AsBytes(text)));
}

http::Response PublicSite::Page(const LangChoice& choice, int status, std::string body,
                                const FormSession* session) const {
    auto response = http::Response::Html(status, std::move(body));
    response.headers.Set("Cache-Control", "no-store");
    response.headers.Set("Content-Language", std::string(LangCode(choice.lang)));
    if (choice.from_query) {
        response.headers.Add("Set-Cookie", "lang=" + std::string(LangCode(choice.lang)) + "; Path=/" +
                                               (config_.secure_cookies ? "; Secure" : "") +
                                               "; HttpOnly; SameSite=Strict");
    }
    if (session != nullptr && session->set_cookie) response.headers.Add("Set-Cookie", *session->set_cookie);
    return response;
}

http::Response PublicSite::NotFoundLookup(const LangChoice& choice, const FormSession& session) const {
    // One answer for every receipt that opens nothing, well-formed or not: the page does not echo
    // the code, so it is byte-for-byte the same.
    const Strings& s = StringsFor(choice.lang);
    LookupView view;
    view.csrf_token = session.token;
    view.notices.push_back({Notice::Kind::kError, std::string(s.followup_not_found)});
    return Page(choice, 200, RenderLookup({choice.lang, "/followup"}, view), &session);
}

// ---- GET pages ----

http::Response PublicSite::Home(http::Request& request) {
    const LangChoice choice = ChooseLang(request);
    return Page(choice, 200, RenderHome({choice.lang, "/"}), nullptr);
}

http::Response PublicSite::Channels(http::Request& request) {
    const LangChoice choice = ChooseLang(request);
    return Page(choice, 200, RenderChannels({choice.lang, "/channels"}, config_.channels, config_.channels_note),
                nullptr);
}

http::Response PublicSite::FormPage(http::Request& request, CaseKind kind) {
    const LangChoice choice = ChooseLang(request);
    const FormSession session = NewFormSession(request);
    FormView view;
    view.kind = kind;
    view.csrf_token = session.token;
    view.uploads = uploads_;
    const PageContext ctx{choice.lang, kind == CaseKind::kRelativeInquiry ? "/inquiry" : "/apply"};
    return Page(choice, 200, RenderForm(ctx, view), &session);
}

http::Response PublicSite::LookupPage(http::Request& request) {
    const LangChoice choice = ChooseLang(request);
    const FormSession session = NewFormSession(request);
    LookupView view;
    view.csrf_token = session.token;
    return Page(choice, 200, RenderLookup({choice.lang, "/followup"}, view), &session);
}

http::Response PublicSite::Stylesheet(http::Request&) {
    http::Response response;
    response.status = 200;
    response.headers.Set("Content-Type", "text/css; charset=utf-8");
    // Not cached either: a cached file is a trace of the visit on a shared phone.
    response.headers.Set("Cache-Control", "no-store");
    response.body = std::string(SiteCss());
    return response;
}

// ---- POST handlers ----

void PublicSite::Submit(http::Request& request, const http::Responder& responder, CaseKind kind) {
    Posted posted = ParseBody(request);
    const LangChoice choice = ChooseLang(request, posted.Field("lang"));
    const Strings& s = StringsFor(choice.lang);
    const PageContext ctx{choice.lang, kind == CaseKind::kRelativeInquiry ? "/inquiry" : "/apply"};
    // The form's token (and cookie) for the page that shows the form again: made only for such a
    // page, not for the receipt, which has no form.
    std::optional<std::string> form_cookie = request.Cookie(form_cookie_name_);
    const bool sent_files = !posted.files.empty();

    FormView view;
    view.kind = kind;
    view.uploads = uploads_;
    // The typed values go back into the form on every refusal; they are moved there only when a
    // page is rendered, not copied on every submission (an accepted one's go into the contact,
    // from which the page after a store failure takes them).
    const auto respond = [&](int status) {
        const FormSession session = FormSessionFor(form_cookie);
        view.csrf_token = session.token;
        view.values = std::move(posted.fields);
        return Page(choice, status, RenderForm(ctx, view), &session);
    };
    const auto add_error = [&](std::string text) { view.notices.push_back({Notice::Kind::kError, std::move(text)}); };
    const auto keep_notices = [&] {
        view.notices.push_back({Notice::Kind::kError, std::string(s.values_kept)});
        if (sent_files) view.notices.push_back({Notice::Kind::kError, std::string(s.photos_again)});
    };

    if (!posted.ok) {
        add_error(std::string(s.error_bad_form));
        return responder.Send(respond(400));
    }
    if (!TokenValid(form_cookie, posted)) {
        add_error(std::string(s.error_csrf));
        keep_notices();
        return responder.Send(respond(403));
    }

    // Checking photos is the costly part of a submission: a form with photos takes its token
    // from the per-client limit before they are looked at, whether or not it is then accepted.
    const auto refuse_rate = [&](std::int64_t wait) {
        add_error(RateLimitedText(s, choice.lang, wait));
        keep_notices();
        auto response = respond(429);
        response.headers.Set("Retry-After", std::to_string(wait));
        return responder.Send(std::move(response));
    };
    if (sent_files) {
        if (const auto wait = submissions_per_client_.Take(request.peer); wait > 0) return refuse_rate(wait);
    }
    std::map<std::string, FieldProblem, std::less<>> photo_problems;
    std::vector<intake::Attachment> attachments;
    CheckPhotos(posted.files, photo_problems, attachments);
    // When the form is accepted, its clean values are moved out of posted.fields (no copies):
    // from here on, a page that shows the form again takes them from validation.clean or the
    // contact. A refused photo refuses the form, whose fields must then stay as typed.
    Validation validation =
        photo_problems.empty() ? TakeValidFields(kind, posted.fields) : ValidateFields(kind, posted.fields);
    validation.problems.merge(photo_problems);
    if (!validation.ok()) {
        view.problems = validation.problems;
        add_error(std::string(s.errors_summary));
        if (sent_files) add_error(std::string(s.photos_again));
        return responder.Send(respond(422));
    }

    std::int64_t wait = sent_files ? 0 : submissions_per_client_.Take(request.peer);
    if (wait == 0) {
        const auto contact = validation.clean.find(ContactField(kind));
        wait = submissions_per_contact_.Take(contact != validation.clean.end() ? ContactKey(contact->second)
                                                                               : AnswersKey(validation.clean));
    }
    if (wait > 0) {
        posted.fields = std::move(validation.clean);  // shown again as they were to be stored
        return refuse_rate(wait);
    }

    auto contact = std::make_shared<intake::InboundContact>();
    contact->channel = Channel::kWeb;
    contact->kind = kind;
    contact->language = std::string(LangCode(choice.lang));
    contact->fields = std::move(validation.clean);
    contact->attachments = std::move(attachments);
    // The store answers on its own thread once the case is durable; the page is rendered back
    // on this connection's I/O thread. The contact goes along and is freed there, on the thread
    // that allocated it (intake lets go of it first): cheaper than freeing it from another.
    std::shared_ptr<const intake::InboundContact> submitted = contact;
    intake_.SubmitAsync(std::move(submitted), [this, responder, choice, ctx, kind,
                                              form_cookie = std::move(form_cookie), view = std::move(view),
                                              sent_files, contact = std::move(contact)](
                                                 Result<intake::IntakeOutcome> outcome) mutable {
        responder.Render([this, choice, ctx, kind, form_cookie = std::move(form_cookie), view = std::move(view),
                          sent_files, contact = std::move(contact), outcome = std::move(outcome)]() mutable {
            if (!outcome || outcome->receipt.empty()) {
                const FormSession session = FormSessionFor(form_cookie);
                view.csrf_token = session.token;
                view.values = contact->fields;  // the values as they were to be stored
                const Strings& strings = StringsFor(choice.lang);
                view.notices.push_back({Notice::Kind::kError, std::string(strings.error_server)});
                view.notices.push_back({Notice::Kind::kError, std::string(strings.values_kept)});
                if (sent_files) view.notices.push_back({Notice::Kind::kError, std::string(strings.photos_again)});
                return Page(choice, outcome ? 500 : StatusOf(outcome.code()), RenderForm(ctx, view), &session);
            }
            // The token was valid, so the browser has the form cookie: nothing to set.
            return Page(choice, 200, RenderReceipt(ctx, kind, outcome->receipt), nullptr);
        });
    });
}

http::Response PublicSite::Lookup(http::Request& request) {
    const Posted posted = ParseBody(request);
    const LangChoice choice = ChooseLang(request, posted.Field("lang"));
    const Strings& s = StringsFor(choice.lang);
    const PageContext ctx{choice.lang, "/followup"};
    const FormSession session = NewFormSession(request);

    LookupView view;
    view.csrf_token = session.token;
    const auto respond = [&](int status, std::string text) {
        view.notices.push_back({Notice::Kind::kError, std::move(text)});
        return Page(choice, status, RenderLookup(ctx, view), &session);
    };
    if (!posted.ok) return respond(400, std::string(s.error_bad_form));
    const std::string_view receipt = posted.Field("receipt");
    if (!TokenValid(request, posted)) {
        view.receipt = std::string(receipt);
        return respond(403, std::string(s.error_csrf));
    }
    if (const auto wait = lookups_per_client_.Take(request.peer); wait > 0) {
        view.receipt = std::string(receipt);
        auto response = respond(429, RateLimitedText(s, choice.lang, wait));
        response.headers.Set("Retry-After", std::to_string(wait));
        return response;
    }
    const auto conversation = Guarded([&] { return intake_.ReadConversation(receipt); });
    if (!conversation) {
        if (IsNotFound(conversation.code())) return NotFoundLookup(choice, session);
        return respond(StatusOf(conversation.code()), std::string(s.error_server));
    }
    ConversationView cv;
    cv.conversation = &*conversation;
    cv.receipt = GroupReceipt(intake::IntakeService::NormalizeReceipt(receipt));
    cv.csrf_token = session.token;
    cv.uploads = uploads_;
    return Page(choice, 200, RenderConversation(ctx, cv), &session);
}

http::Response PublicSite::AddMessage(http::Request& request) {
    const Posted posted = ParseBody(request);
    const LangChoice choice = ChooseLang(request, posted.Field("lang"));
    const Strings& s = StringsFor(choice.lang);
    const PageContext ctx{choice.lang, "/followup"};
    const FormSession session = NewFormSession(request);
    if (!posted.ok) {
        LookupView view;
        view.csrf_token = session.token;
        view.notices.push_back({Notice::Kind::kError, std::string(s.error_bad_form)});
        return Page(choice, 400, RenderLookup(ctx, view), &session);
    }

    const std::string_view receipt = posted.Field("receipt");
    const std::string normalized = intake::IntakeService::NormalizeReceipt(receipt);
    const bool sent_files = !posted.files.empty();
    ConversationView view;
    view.receipt = normalized.empty() ? std::string(receipt) : GroupReceipt(normalized);
    view.csrf_token = session.token;
    view.message = std::string(posted.Field(kMessageField));
    view.uploads = uploads_;
    const auto add_error = [&](std::string text) { view.notices.push_back({Notice::Kind::kError, std::move(text)}); };
    const auto keep_notices = [&] {
        add_error(std::string(s.values_kept));
        if (sent_files) add_error(std::string(s.photos_again));
    };
    const auto respond = [&](int status) { return Page(choice, status, RenderConversation(ctx, view), &session); };

    if (!TokenValid(request, posted)) {
        add_error(std::string(s.error_csrf));
        keep_notices();
        return respond(403);
    }
    const auto refuse_rate = [&](std::int64_t wait) {
        add_error(RateLimitedText(s, choice.lang, wait));
        keep_notices();
        auto response = respond(429);
        response.headers.Set("Retry-After", std::to_string(wait));
        return response;
    };
    if (const auto wait = lookups_per_client_.Take(request.peer); wait > 0) return refuse_rate(wait);

    std::map<std::string, FieldProblem, std::less<>> problems;
    std::string text;
    if (!IsAcceptableText(view.message)) {
        problems.emplace(std::string(kMessageField), FieldProblem::kBadText);
    } else {
        text = CleanText(view.message);
        if (text.size() > intake::IntakeService::kMaxTextBytes) {
            problems.emplace(std::string(kMessageField), FieldProblem::kTooLong);
        }
    }
    std::vector<intake::Attachment> attachments;
    CheckPhotos(posted.files, problems, attachments);
    if (problems.empty() && text.empty() && attachments.empty()) {
        problems.emplace(std::string(kMessageField), FieldProblem::kEmptyMessage);
    }

    // Per receipt, whether or not it is one: a wrong receipt is limited as a right one is, and so
    // tells nothing.
    if (problems.empty()) {
        if (const auto wait = messages_per_receipt_.Take(ReceiptKey(normalized)); wait > 0) return refuse_rate(wait);
        const auto sent = Guarded([&] { return intake_.FollowUp(receipt, text, std::move(attachments)); });
        if (!sent) {
            if (sent.code() == ErrorCode::kNotFound) return NotFoundLookup(choice, session);
            add_error(std::string(s.error_server));
            keep_notices();
            return respond(StatusOf(sent.code()));
        }
        view.message.clear();
        view.notices.push_back({Notice::Kind::kSuccess, std::string(s.message_sent)});
    }

    const auto conversation = Guarded([&] { return intake_.ReadConversation(receipt); });
    if (!conversation) {
        if (IsNotFound(conversation.code())) return NotFoundLookup(choice, session);
        add_error(std::string(s.error_server));
        return respond(StatusOf(conversation.code()));
    }
    view.conversation = &*conversation;
    if (!problems.empty()) {
        view.problems = std::move(problems);
        add_error(std::string(s.errors_summary));
        if (sent_files) add_error(std::string(s.photos_again));
        return respond(422);
    }
    return respond(200);
}

}  // namespace lifeline::public_site
