#pragma once
// Small helpers shared by the API's handlers: JSON bodies, fields and responses.

#include <boost/json.hpp>

#include <optional>
#include <string>
#include <string_view>

#include "core/result.hpp"
#include "http/message.hpp"

namespace lifeline::api {

inline http::Response JsonResponse(int status, const boost::json::value& v) {
    return http::Response::Json(status, boost::json::serialize(v));
}

/// The body as a JSON object; the content type must be application/json.
Result<boost::json::object> ParseBody(const http::Request& req);
/// A required string field of at most max bytes.
Result<std::string> StringField(const boost::json::object& o, std::string_view name, std::size_t max = 1024);
/// An optional string field (absent → empty).
Result<std::string> OptionalString(const boost::json::object& o, std::string_view name, std::size_t max = 1024);
/// A positive integer path parameter.
Result<std::int64_t> PathInt(const http::Request& req, std::string_view name);

}  // namespace lifeline::api
