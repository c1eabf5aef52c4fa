#pragma once
/// The applicant's public web site: how the line works, the official channels, the application
/// and relatives' inquiry forms, and the follow-up by receipt. Plain HTML and one stylesheet, no
/// JavaScript, no external resources; Russian by default, Ukrainian and English.
///
/// Handlers are thin: they parse, check the form token, validate, rate-limit and call intake;
/// all HTML comes from pages.hpp. Nothing personal (no receipt, no field value) ever goes into a
/// URL, a redirect or a log line: receipts travel only in POST bodies and no-store pages.

#include <chrono>
#include <cstddef>
#include <optional>
#include <string>
#include <vector>

#include "core/clock.hpp"
#include "core/rate_limiter.hpp"
#include "crypto/crypto.hpp"
#include "http/message.hpp"
#include "http/router.hpp"
#include "intake/intake_service.hpp"
#include "public_site/csrf.hpp"
#include "public_site/forms.hpp"
#include "public_site/language.hpp"
#include "public_site/multipart.hpp"
#include "public_site/pages.hpp"

namespace lifeline::public_site {

/// `count` requests per `per`, as a token bucket (a burst of `count`, refilled evenly).
struct RateLimitRule {
    double count = 5;
    std::chrono::minutes per{10};
};

struct PublicSiteConfig {
    /// The official channels, listed on /channels so people can tell the real line from clones.
    std::vector<OfficialChannel> channels;
    /// An optional extra note under the list (shown as is, in every language).
    std::string channels_note;
    /// Secure cookies (and the __Host- prefix for the form cookie); false only for plain-HTTP tests.
    bool secure_cookies = true;
    std::size_t max_attachment_bytes = 5u << 20;
    /// At most intake::IntakeService::kMaxAttachments.
    std::size_t max_attachments = 3;
    std::chrono::seconds form_token_lifetime = std::chrono::hours(2);
    /// Submissions of the application or inquiry form per client address.
    RateLimitRule submissions_per_client{5, std::chrono::minutes(10)};
    /// Submissions per keyed hash of the normalised contact value.
    RateLimitRule submissions_per_contact{3, std::chrono::minutes(60)};
    /// Receipt look-ups (opening the conversation, adding a message) per client address.
    RateLimitRule lookups_per_client{10, std::chrono::minutes(10)};
    /// Messages added to one case through its receipt (per keyed hash of the receipt), from any
    /// address: bounds what one receipt can pile onto a case.
    RateLimitRule messages_per_receipt{10, std::chrono::minutes(60)};
    MultipartLimits multipart;
};

class PublicSite {
public:
    /// site_key: 16..64 bytes (e.g. derived from the secrets' session_key); it signs the form
    /// tokens and keys the contact pseudonyms used for rate limiting. The intake service and the
    /// clock must outlive the site.
    PublicSite(intake::IntakeService& intake, const Clock& clock, crypto::SecretKey site_key, PublicSiteConfig config);

    /// GET /, /channels, /apply, /inquiry, /followup, /static/site.css;
    /// POST /apply, /inquiry, /followup, /followup/message.
    void Register(http::Router& router);

    http::Response Home(http::Request& request);
    http::Response Channels(http::Request& request);
    http::Response FormPage(http::Request& request, CaseKind kind);
    /// The forms: answers at once when the submission is refused, else once the case is durable.
    void Submit(http::Request& request, const http::Responder& responder, CaseKind kind);
    http::Response LookupPage(http::Request& request);
    http::Response Lookup(http::Request& request);
    http::Response AddMessage(http::Request& request);
    http::Response Stylesheet(http::Request& request);

    /// The name of the form-token cookie ("__Host-lifeline_form", or "lifeline_form" without Secure).
    const std::string& form_cookie_name() const { return form_cookie_name_; }

private:
    struct FormSession {
        std::string token;
        std::optional<std::string> set_cookie;  ///< a Set-Cookie value when the browser had none
    };
    struct Posted {
        bool ok = true;
        FormValues fields;
        std::vector<FilePart> files;
        std::string_view Field(std::string_view name) const;
    };

    FormSession NewFormSession(const http::Request& request) const;
    /// The session for the form cookie's value (a new one, to be set, when it is absent or bad).
    FormSession FormSessionFor(const std::optional<std::string>& cookie) const;
    bool TokenValid(const http::Request& request, const Posted& posted) const;
    bool TokenValid(const std::optional<std::string>& cookie, const Posted& posted) const;
    Posted ParseBody(const http::Request& request) const;
    /// Checks and strips the uploaded photos; problems go under "photo".
    void CheckPhotos(const std::vector<FilePart>& files, std::map<std::string, FieldProblem, std::less<>>& problems,
                     std::vector<intake::Attachment>& attachments) const;
    /// The per-contact limiter's key: 15 raw bytes of a keyed hash of the normalised contact
    /// (never the contact itself).
    std::string ContactKey(std::string_view contact) const;
    /// The per-contact limiter's key for a submission without a contact: the same hash of all
    /// its answers, so that one text sent again and again is limited as one sender would be.
    std::string AnswersKey(const FormValues& clean) const;
    /// The per-receipt limiter's key: the same hash of the normalised receipt.
    std::string ReceiptKey(std::string_view normalized_receipt) const;
    http::Response Page(const LangChoice& choice, int status, std::string body, const FormSession* session) const;
    http::Response NotFoundLookup(const LangChoice& choice, const FormSession& session) const;

    intake::IntakeService& intake_;
    const Clock& clock_;
    crypto::SecretKey site_key_;
    crypto::KeyedHasher contact_hasher_;  // KeyedHash(site_key_, kContactContext, ·)
    PublicSiteConfig config_;
    FormTokens tokens_;
    UploadLimits uploads_;
    std::string form_cookie_name_;
    RateLimiter submissions_per_client_;
    RateLimiter submissions_per_contact_;
    RateLimiter lookups_per_client_;
    RateLimiter messages_per_receipt_;
};

}  // namespace lifeline::public_site
