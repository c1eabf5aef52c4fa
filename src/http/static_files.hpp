#pragma once
/// Serves the built console (or any directory of static files) under a URL prefix. Files are read
/// once at start-up into memory: the console is small, and nothing on disk can be swapped under a
/// running server. Paths never leave the directory.

#include <map>
#include <memory>
#include <string>

#include "http/router.hpp"

namespace lifeline::http {

class StaticFiles {
public:
    /// Loads every regular file under root (recursively). An empty or missing root serves nothing.
    StaticFiles(const std::string& root, std::string url_prefix);
    /// Registers GET prefix, prefix/ (index.html) and one exact route per loaded file.
    void Register(Router& router);
    std::size_t file_count() const { return files_.size(); }

    /// The content type for a file name.
    static std::string ContentType(const std::string& name);

private:
    Response Serve(const std::string& relative) const;
    struct File {
        std::string content_type;
        std::string body;
    };
    std::string prefix_;
    std::map<std::string, File, std::less<>> files_;
};

}  // namespace lifeline::http
