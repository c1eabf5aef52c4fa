#include "http/static_files.hpp"

#include <filesystem>
#include <fstream>
#include <sstream>

namespace lifeline::http {
namespace fs = std::filesystem;

namespace {
bool EndsWith(const std::string& s, std::string_view suffix) {
    return s.size() >= suffix.size() && s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0;
}
}  // namespace

std::string StaticFiles::ContentType(const std::string& name) {
    if (EndsWith(name, ".html")) return "text/html; charset=utf-8";
    if (EndsWith(name, ".js")) return "text/javascript; charset=utf-8";
    if (EndsWith(name, ".css")) return "text/css; charset=utf-8";
    if (EndsWith(name, ".svg")) return "image/svg+xml";
    if (EndsWith(name, ".png")) return "image/png";
    if (EndsWith(name, ".ico")) return "image/x-icon";
    if (EndsWith(name, ".json")) return "application/json";
    if (EndsWith(name, ".woff2")) return "font/woff2";
    if (EndsWith(name, ".mp3")) return "audio/mpeg";
    if (EndsWith(name, ".wav")) return "audio/wav";
    return "application/octet-stream";
}

StaticFiles::StaticFiles(const std::string& root, std::string url_prefix) : prefix_(std::move(url_prefix)) {
    std::error_code ec;
    if (root.empty() || !fs::is_directory(root, ec)) return;
    for (auto it = fs::recursive_directory_iterator(root, ec); !ec && it != fs::recursive_directory_iterator();
         it.increment(ec)) {
        if (!it->is_regular_file()) continue;
        const auto relative = fs::relative(it->path(), root).generic_string();
        std::ifstream in(it->path(), std::ios::binary);
        std::stringstream body;
        body << in.rdbuf();
        files_[relative] = File{ContentType(relative), body.str()};
    }
}

Response StaticFiles::Serve(const std::string& relative) const {
    auto it = files_.find(relative);
    if (it == files_.end()) return Response::Error(404, "not_found", "no such file");
    Response r;
    r.status = 200;
    r.headers.Set("Content-Type", it->second.content_type);
    // Vite names assets by content hash: they never change, so they may be cached for good.
    r.headers.Set("Cache-Control", relative.rfind("assets/", 0) == 0 ? "public, max-age=31536000, immutable"
                                                                     : "no-cache");
    r.body = it->second.body;
    return r;
}

void StaticFiles::Register(Router& router) {
    if (files_.empty()) return;
    router.Add("GET", prefix_, [this](Request&) { return Serve("index.html"); });
    router.Add("GET", prefix_ + "/", [this](Request&) { return Serve("index.html"); });
    // One exact route per file: nothing outside the loaded set can ever be asked for.
    for (const auto& [relative, file] : files_) {
        std::string rel = relative;
        router.Add("GET", prefix_ + "/" + rel, [this, rel](Request&) { return Serve(rel); });
    }
}

}  // namespace lifeline::http
