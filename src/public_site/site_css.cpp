#include "public_site/pages.hpp"

namespace lifeline::public_site {

std::string_view SiteCss() {
    // Small, readable on a slow phone, no web fonts, no images.
    static constexpr std::string_view kCss = R"(
html{font-family:system-ui,-apple-system,"Segoe UI",Roboto,Arial,sans-serif;line-height:1.5;color:#1b1b1b;
background:#fff;-webkit-text-size-adjust:100%}
body{margin:0 auto;max-width:46rem;padding:0 1rem 2rem}
a{color:#0b4f9c}
a:focus,button:focus,input:focus,select:focus,textarea:focus{outline:3px solid #f2b600;outline-offset:1px}
.top{border-bottom:2px solid #0b4f9c;margin-bottom:1.5rem;padding:.75rem 0}
.brand{font-size:1.4rem;font-weight:700;margin:0}
.brand a{color:#1b1b1b;text-decoration:none}
.tagline{margin:.25rem 0 .5rem;color:#444}
.langs{font-size:.95rem;margin-bottom:.5rem}
.langs a,.langs strong{margin-right:.5rem}
.menu ul{list-style:none;margin:0;padding:0;display:flex;flex-wrap:wrap;gap:.25rem 1rem}
.menu a[aria-current]{font-weight:700;text-decoration:none;color:#1b1b1b}
h1{font-size:1.6rem;line-height:1.25;margin:.5rem 0 1rem}
h2{font-size:1.25rem;margin:1.75rem 0 .5rem}
.lead{font-size:1.1rem}
.note,.hint{color:#444}
.hint{font-size:.9rem;margin:0 0 .25rem}
.button,button{display:inline-block;background:#0b4f9c;color:#fff;border:0;border-radius:4px;padding:.7rem 1.2rem;
font-size:1rem;text-decoration:none;cursor:pointer;margin:.25rem .5rem .25rem 0}
.button.secondary{background:#e8eef7;color:#0b4f9c}
fieldset{border:1px solid #ccc;border-radius:4px;margin:1rem 0;padding:.5rem 1rem 1rem}
legend{font-weight:700;padding:0 .25rem}
.field{margin:1rem 0}
label{display:block;font-weight:600;margin-bottom:.2rem}
input[type=text],select,textarea{box-sizing:border-box;width:100%;font:inherit;padding:.5rem;
border:1px solid #767676;border-radius:4px;background:#fff;color:inherit}
input[type=file]{display:block;margin:.4rem 0}
textarea{min-height:8rem;resize:vertical}
.invalid input,.invalid select,.invalid textarea{border:2px solid #b00020}
.error{color:#b00020;font-weight:600;margin:.2rem 0}
.notice{border-left:4px solid #0b4f9c;background:#eef3fa;padding:.6rem .9rem;margin:1rem 0}
.notice.error{border-color:#b00020;background:#fdecee;color:#7a0016}
.notice.success{border-color:#1e7b34;background:#e9f6ec}
.notice.warning{border-color:#b36b00;background:#fff6e5}
.receipt{font-size:1.7rem;font-weight:700;letter-spacing:.05em;margin:.5rem 0;overflow-wrap:anywhere}
.receipt code{font-family:ui-monospace,Menlo,Consolas,monospace;background:#f3f3f3;border:1px solid #ccc;
border-radius:4px;padding:.3rem .5rem;-webkit-user-select:all;user-select:all}
.channels dt{font-weight:700;margin-top:.75rem}
.channels dd{margin:0}
code{overflow-wrap:anywhere}
.conversation{list-style:none;padding:0}
.entry{border:1px solid #ddd;border-radius:4px;padding:.5rem .9rem;margin:.75rem 0}
.entry.reply{border-color:#1e7b34;background:#f4fbf5}
.entry .meta{margin:0 0 .25rem;font-size:.9rem;color:#444}
.entry .text{white-space:pre-wrap;overflow-wrap:anywhere}
.entry dt{font-weight:600}
.entry dd{margin:0 0 .4rem;white-space:pre-wrap;overflow-wrap:anywhere}
footer{border-top:1px solid #ccc;margin-top:2.5rem;padding-top:.75rem;font-size:.9rem;color:#444}
)";
    return kCss;
}

}  // namespace lifeline::public_site
