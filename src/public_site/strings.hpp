#pragma once
/// Every user-visible string of the public site, one table per language (strings.cpp).
/// Strings are plain text: the renderer escapes them. Markers such as {n} are replaced with
/// Substitute() before rendering.

#include <functional>
#include <map>
#include <optional>
#include <string_view>
#include <vector>

namespace lifeline::public_site {

enum class Lang { kRu, kUk, kEn };

/// "ru", "uk", "en".
std::string_view LangCode(Lang lang) noexcept;
std::optional<Lang> ParseLang(std::string_view code) noexcept;
/// Every language in the order the switcher shows them.
const std::vector<Lang>& AllLangs();

struct FieldText {
    std::string_view label;
    std::string_view hint;  ///< may be empty
};

struct Strings {
    // ---- layout ----
    std::string_view lang_name;          ///< the language's own name, for the switcher
    std::string_view site_name;
    std::string_view tagline;
    std::string_view nav_home;
    std::string_view nav_apply;
    std::string_view nav_inquiry;
    std::string_view nav_followup;
    std::string_view nav_channels;
    std::string_view lang_switch;        ///< label before the language links
    std::string_view footer_verify;
    std::string_view footer_tech;

    // ---- home ----
    std::string_view home_title;
    std::string_view home_lead;
    std::string_view home_guarantees_title;
    std::vector<std::string_view> home_guarantees;
    std::string_view home_steps_title;
    std::vector<std::string_view> home_steps;
    std::string_view home_safety_title;
    std::vector<std::string_view> home_safety;
    std::string_view home_relatives_title;
    std::string_view home_relatives;
    std::string_view home_cta_apply;
    std::string_view home_cta_inquiry;
    std::string_view home_cta_followup;
    std::string_view home_cta_channels;

    // ---- channels ----
    std::string_view channels_title;
    std::string_view channels_lead;
    std::string_view channels_verify;
    std::string_view channels_empty;

    // ---- forms in general ----
    std::string_view optional_note;      ///< "every field is optional, but ..."
    std::string_view privacy_note;
    std::string_view choose;             ///< the empty option of a select
    std::string_view submit_application;
    std::string_view submit_inquiry;
    std::string_view photos_label;
    std::string_view photos_hint;        ///< {n} = number of files, {mb} = size limit in MB

    // ---- application ----
    std::string_view apply_title;
    std::string_view apply_lead;
    std::string_view section_service;
    std::string_view section_exit;
    std::string_view section_contact;

    // ---- inquiry ----
    std::string_view inquiry_title;
    std::string_view inquiry_lead;
    std::string_view section_seeker;
    std::string_view section_sought;

    // ---- receipt ----
    std::string_view receipt_title;
    std::string_view receipt_code_label;
    std::string_view receipt_warning;
    std::string_view receipt_next_title;
    std::vector<std::string_view> receipt_next_application;
    std::vector<std::string_view> receipt_next_inquiry;
    std::string_view receipt_followup_link;

    // ---- follow-up ----
    std::string_view followup_title;
    std::string_view followup_lead;
    std::string_view receipt_label;
    std::string_view receipt_hint;
    std::string_view followup_open;
    std::string_view followup_not_found;
    std::string_view conversation_title;
    std::string_view entry_form;
    std::string_view entry_inbound;
    std::string_view entry_reply;
    std::string_view conversation_waiting;
    std::string_view inquiry_answer_title;  // the answer status of an inquiry, texts in options["answer.<status>"]
    std::string_view message_title;
    std::string_view message_label;
    std::string_view message_send;
    std::string_view message_sent;
    std::string_view message_empty;
    std::string_view followup_close_hint;

    // ---- errors and notices ----
    std::string_view errors_summary;
    std::string_view error_too_long;     ///< {n} = the limit in bytes
    std::string_view error_date;
    std::string_view error_group_size;
    std::string_view error_choice;
    std::string_view error_text;
    std::string_view error_need_contact;
    std::string_view error_csrf;
    std::string_view values_kept;
    std::string_view error_rate_limited; ///< {n} = number, {minutes} = the word
    std::string_view minutes_one;
    std::string_view minutes_few;
    std::string_view minutes_many;
    std::string_view error_too_many_files;  ///< {n}
    std::string_view error_file_too_large;  ///< {mb}
    std::string_view error_not_image;
    std::string_view error_bad_image;
    std::string_view error_image_too_large;
    std::string_view error_bad_form;
    std::string_view photos_again;
    std::string_view error_server;
    std::string_view not_found_title;
    std::string_view not_found_text;

    // ---- fields and options ----
    std::map<std::string_view, FieldText, std::less<>> fields;
    /// "<field>.<value>" → label, e.g. "status.mobilised".
    std::map<std::string_view, std::string_view, std::less<>> options;
};

const Strings& StringsFor(Lang lang);

/// "минуту" / "минуты" / "минут" by the language's plural rules.
std::string_view MinutesWord(const Strings& s, Lang lang, long long n);

}  // namespace lifeline::public_site
