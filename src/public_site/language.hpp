#pragma once
/// Which language a page is shown in: ?lang=ru|uk|en (then remembered in the `lang` cookie),
/// else a hidden `lang` field of a posted form, else the cookie, else Accept-Language (q-values
/// respected), else Russian.

#include <optional>
#include <string_view>

#include "http/message.hpp"
#include "public_site/strings.hpp"

namespace lifeline::public_site {

/// The supported language the browser prefers most (highest q, earliest on a tie; q=0 excludes),
/// or nullopt when none of ru, uk, en is acceptable.
std::optional<Lang> LangFromAcceptLanguage(std::string_view header);

struct LangChoice {
    Lang lang = Lang::kRu;
    bool from_query = false;  ///< chosen by ?lang=: the caller remembers it in the cookie
};

LangChoice ChooseLang(const http::Request& request, std::optional<std::string_view> form_lang = std::nullopt);

}  // namespace lifeline::public_site
