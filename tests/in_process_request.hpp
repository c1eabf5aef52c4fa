#pragma once
// A request as the HTTP server hands it to the router, for tests that call routes in process.

#include <string>
#include <utility>

#include "http/message.hpp"

namespace lifeline::testing {

/// method and target as sent (the target split into path and query; no percent-decoding, which
/// the targets of these tests do not need), from the given peer address.
inline http::Request InProcessRequest(std::string method, const std::string& target, std::string peer) {
    http::Request request;
    request.method = std::move(method);
    request.target = target;
    const auto question = target.find('?');
    request.path = target.substr(0, question);
    request.query = question == std::string::npos ? "" : target.substr(question + 1);
    request.peer = std::move(peer);
    return request;
}

}  // namespace lifeline::testing
