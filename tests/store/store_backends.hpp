#pragma once
// The store backends the contract suite runs against, and a temporary directory per test.
// To add a backend (e.g. PostgreSQL): write a factory like SqliteBackend() here and instantiate
// the suite with it at the end of store_contract_test.cpp, e.g.
//   INSTANTIATE_TEST_SUITE_P(Postgres, StoreContract, ::testing::Values(test::PostgresBackend()), ...);

#include <stdlib.h>

#include <filesystem>
#include <functional>
#include <memory>
#include <ostream>
#include <stdexcept>
#include <string>
#include <system_error>

#include "store/sqlite/sqlite_store.hpp"
#include "store/store.hpp"

namespace lifeline::store::test {

/// A fresh directory under /tmp, removed with everything in it on destruction.
class TempDir {
public:
    TempDir() {
        std::string pattern = "/tmp/lifeline-store-XXXXXX";
        if (::mkdtemp(pattern.data()) == nullptr) throw std::runtime_error("mkdtemp failed");
        path_ = pattern;
    }
    ~TempDir() {
        std::error_code ignored;
        std::filesystem::remove_all(path_, ignored);
    }
    TempDir(const TempDir&) = delete;
    TempDir& operator=(const TempDir&) = delete;

    const std::filesystem::path& path() const noexcept { return path_; }
    std::string File(const std::string& name) const { return (path_ / name).string(); }

private:
    std::filesystem::path path_;
};

/// A backend under test: its name (a valid gtest name) and how to open a fresh, empty store whose
/// files, if any, live in dir. A backend without files (a database server) ignores dir and must
/// hand out a store isolated from every other test's.
struct BackendFactory {
    std::string name;
    std::function<std::unique_ptr<Store>(const TempDir& dir)> open;
};

inline void PrintTo(const BackendFactory& backend, std::ostream* os) { *os << backend.name; }

inline BackendFactory SqliteBackend() {
    return {"Sqlite", [](const TempDir& dir) {
                SqliteOptions options;
                options.path = dir.File("store.db");
                return OpenSqliteStore(options);
            }};
}

}  // namespace lifeline::store::test
