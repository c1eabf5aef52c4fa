#include "audit/audit_log.hpp"

#include <gtest/gtest.h>
#include <sqlite3.h>

#include "store/sqlite/sqlite_store.hpp"
#include "test_util.hpp"

namespace lifeline::testing {
namespace {

class AuditLogTest : public ::testing::Test {
protected:
    void SetUp() override {
        crypto::Init();
        key_ = crypto::SecretKey::Random();
        Open();
        for (int i = 1; i <= 10; ++i) log_->Append(UserId{i % 3}, "case.read", "case:" + std::to_string(1000 + i));
        Close();
    }
    void Open() {
        store::SqliteOptions options;
        options.path = path_;
        store_ = store::OpenSqliteStore(options);
        log_ = std::make_unique<audit::AuditLog>(*store_, key_, clock_);
    }
    void Close() {
        log_.reset();
        store_.reset();
    }
    /// Runs SQL directly on the database file, as an attacker with the file would.
    void Tamper(const std::string& sql) {
        sqlite3* db = nullptr;
        ASSERT_EQ(sqlite3_open(path_.c_str(), &db), SQLITE_OK);
        char* err = nullptr;
        EXPECT_EQ(sqlite3_exec(db, sql.c_str(), nullptr, nullptr, &err), SQLITE_OK) << (err ? err : "");
        sqlite3_free(err);
        sqlite3_close(db);
    }
    audit::VerifyReport Verify() {
        Open();
        auto r = log_->Verify();
        Close();
        return r;
    }

    TempDir dir_;
    std::string path_ = dir_ / "lifeline.db";
    FakeClock clock_;
    crypto::SecretKey key_;
    std::unique_ptr<store::Store> store_;
    std::unique_ptr<audit::AuditLog> log_;
};

TEST_F(AuditLogTest, UntouchedLogVerifies) {
    auto r = Verify();
    EXPECT_TRUE(r.ok) << r.reason;
    EXPECT_EQ(r.entries, 10);
    EXPECT_EQ(r.first_bad_seq, 0);
}

TEST_F(AuditLogTest, ChangedEntryIsNamed) {
    Tamper("UPDATE audit SET target = 'case:9999' WHERE seq = 4");
    auto r = Verify();
    EXPECT_FALSE(r.ok);
    EXPECT_EQ(r.first_bad_seq, 4);
    EXPECT_EQ(r.entries, 3);
}

TEST_F(AuditLogTest, ChangedTimeOrActorIsNamed) {
    Tamper("UPDATE audit SET actor = 7 WHERE seq = 6");
    EXPECT_EQ(Verify().first_bad_seq, 6);
}

TEST_F(AuditLogTest, RemovedEntryIsNamed) {
    Tamper("DELETE FROM audit WHERE seq = 5");
    auto r = Verify();
    EXPECT_FALSE(r.ok);
    EXPECT_EQ(r.first_bad_seq, 5);
}

TEST_F(AuditLogTest, RemovedNewestEntriesAreFound) {
    Tamper("DELETE FROM audit WHERE seq >= 9");
    auto r = Verify();
    EXPECT_FALSE(r.ok);
    EXPECT_EQ(r.first_bad_seq, 9);
}

TEST_F(AuditLogTest, ReorderedEntriesAreFound) {
    Tamper("UPDATE audit SET seq = -3 WHERE seq = 3; UPDATE audit SET seq = 3 WHERE seq = 7; "
           "UPDATE audit SET seq = 7 WHERE seq = -3");
    auto r = Verify();
    EXPECT_FALSE(r.ok);
    EXPECT_EQ(r.first_bad_seq, 3);
}

TEST_F(AuditLogTest, RecomputedPlainHashesDoNotFoolIt) {
    // Someone with the database but not the key rewrites an entry and its hash with unkeyed BLAKE2b.
    Tamper("UPDATE audit SET detail = 'x', hash = randomblob(32) WHERE seq = 2");
    EXPECT_EQ(Verify().first_bad_seq, 2);
}

TEST_F(AuditLogTest, WrongKeyFailsAtTheFirstEntry) {
    key_ = crypto::SecretKey::Random();
    EXPECT_EQ(Verify().first_bad_seq, 1);
}

TEST_F(AuditLogTest, AppendContinuesTheChainAfterReopen) {
    Open();
    auto e = log_->Append(UserId{1}, "login.ok", "user:1");
    EXPECT_EQ(e.seq, 11);
    auto all = log_->Read(1, 100);
    ASSERT_EQ(all.size(), 11u);
    EXPECT_EQ(all[10].prev_hash, all[9].hash);
    Close();
    EXPECT_TRUE(Verify().ok);
}

}  // namespace
}  // namespace lifeline::testing
