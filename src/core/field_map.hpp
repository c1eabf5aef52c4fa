#pragma once
/// Form answers, field name → value: what a form posts, what validation keeps and what intake
/// seals. A sorted vector rather than a tree: a form has a dozen fields, and a submission then
/// costs one allocation for the map instead of one per field (lookups take a string_view).

#include <functional>
#include <string>

#include <boost/container/flat_map.hpp>

namespace lifeline {

using FieldMap = boost::container::flat_map<std::string, std::string, std::less<>>;

}  // namespace lifeline
