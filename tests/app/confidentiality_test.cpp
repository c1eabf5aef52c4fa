// What a stolen data directory reveals: personal strings that went in must not be found in any
// database file, byte by byte; a flipped byte in any stored ciphertext or wrapped key is a clean
// error, never a crash or wrong plaintext.
#include <gtest/gtest.h>
#include <sqlite3.h>

#include <filesystem>

#include "app/data_dir.hpp"
#include "auth/totp.hpp"
#include "test_util.hpp"

namespace lifeline::testing {
namespace {

const std::vector<std::string> kPersonal = {
    "Сергей Петрович Иванов", "+79161234567", "АБ-123456", "Горловка, ул. Победы 12", "48.3012,38.0521",
    "хочу сдаться вместе с двумя сослуживцами", "telegram-chat-5550001234", "мама Ирина, 8-915-000-11-22",
};

class ConfidentialityTest : public ::testing::Test {
protected:
    void SetUp() override {
        auto init = app::InitDataDir(data_, "admin");
        ASSERT_TRUE(init.ok());
        otp_ = init->admin.one_time_password;
        recovery_ = init->admin.recovery_key;
        Reopen();
        auto& store = *dir_->store;
        // Intake as the server does it: only public keys are needed.
        auto team_pk = *store.GetMeta("team_public_key");
        crypto::IntakeEpoch epoch(KeyEpochId{}, team_pk);
        epoch.set_id(store.InsertKeyEpoch(epoch.ephemeral_public_key(), 1));
        case_id_ = CaseId{424242};
        auto case_key = crypto::IntakeEpoch::NewCaseKey();
        store::CaseRecord rec;
        rec.id = case_id_;
        rec.applicant = store.FindOrInsertApplicant(
            crypto::Pseudonym(dir_->secrets.pseudonym_key, "telegram", kPersonal[6]), 1);
        rec.state = "new";
        rec.channel = Channel::kTelegram;
        rec.key_epoch = epoch.id();
        rec.wrapped_key = epoch.WrapCaseKey(case_id_, case_key);
        receipt_ = "4821-7730-1964-5512-0873-6650";
        rec.receipt_lookup = crypto::KeyedHash(dir_->secrets.pseudonym_key, "receipt", AsBytes(receipt_));
        rec.receipt_wrapped_key = crypto::WrapCaseKeyForReceipt(receipt_, case_id_, case_key);
        ASSERT_TRUE(store.InsertCase(rec).ok());
        for (const auto& text : kPersonal) {
            store::MessageRecord m;
            m.case_id = case_id_;
            m.kind = "inbound";
            m.channel = Channel::kTelegram;
            m.ciphertext = crypto::Seal(case_key, AsBytes(text), AsBytes(crypto::CaseFieldAd(case_id_, "message")));
            store.InsertMessage(m);
        }
    }

    void Reopen() {
        auth::AuthConfig config;
        config.lockout_threshold = 1000;  // this test fails logins on purpose, many times
        auto dir = app::OpenDataDir(data_, config);
        ASSERT_TRUE(dir.ok());
        dir_ = std::move(*dir);
    }

    void CloseAndExec(const std::string& sql) {
        dir_.reset();
        sqlite3* db = nullptr;
        ASSERT_EQ(sqlite3_open((data_ + "/lifeline.db").c_str(), &db), SQLITE_OK);
        char* err = nullptr;
        EXPECT_EQ(sqlite3_exec(db, sql.c_str(), nullptr, nullptr, &err), SQLITE_OK) << (err ? err : "") << sql;
        sqlite3_free(err);
        sqlite3_close(db);
        Reopen();
    }

    /// Reads one blob with SQL on the closed file, as an attacker would.
    Bytes ReadBlob(const std::string& table, const std::string& column, const std::string& where) {
        dir_.reset();
        sqlite3* db = nullptr;
        EXPECT_EQ(sqlite3_open((data_ + "/lifeline.db").c_str(), &db), SQLITE_OK);
        sqlite3_stmt* st = nullptr;
        std::string select = "SELECT " + column + " FROM " + table + " WHERE " + where;
        EXPECT_EQ(sqlite3_prepare_v2(db, select.c_str(), -1, &st, nullptr), SQLITE_OK) << select;
        Bytes out;
        if (sqlite3_step(st) == SQLITE_ROW) {
            auto* p = static_cast<const std::uint8_t*>(sqlite3_column_blob(st, 0));
            out.assign(p, p + sqlite3_column_bytes(st, 0));
        }
        sqlite3_finalize(st);
        sqlite3_close(db);
        Reopen();
        return out;
    }
    void WriteBlob(const std::string& table, const std::string& column, const std::string& where, const Bytes& v) {
        CloseAndExec("UPDATE " + table + " SET " + column + " = x'" + ToHex(v) + "' WHERE " + where);
    }

    /// Logs the admin in fully and returns the team key pair.
    std::shared_ptr<const crypto::KeyPair> TeamKeys() {
        auto& auth = *dir_->auth;
        auto login = auth.Login("admin", otp_);
        auto p = auth.Authenticate(login->token);
        (void)auth.ChangePassword(*p, otp_, "a new long password");
        p = auth.Authenticate(login->token);
        auto enrol = auth.StartTotpEnrolment(*p);
        auto secret = *auth::Base32Decode(enrol->secret_base32);
        (void)auth.ConfirmTotpEnrolment(*p, auth::TotpCode(secret, SystemClock::Instance().Now()));
        return auth.Authenticate(login->token)->team_keys;
    }

    /// Reads every message of the case with the team key: the plaintexts, or the first error.
    Result<std::vector<std::string>> ReadCase(const crypto::KeyPair& team) {
        auto& store = *dir_->store;
        auto rec = store.FindCase(case_id_);
        if (!rec) return {ErrorCode::kNotFound, "case"};
        auto epoch = store.FindKeyEpoch(rec->key_epoch);
        auto key = crypto::UnwrapCaseKey(team, epoch->ephemeral_public_key, case_id_, rec->wrapped_key);
        if (!key) return key.error();
        std::vector<std::string> out;
        for (const auto& m : store.MessagesOfCase(case_id_)) {
            auto text = crypto::Open(*key, m.ciphertext, AsBytes(crypto::CaseFieldAd(case_id_, "message")));
            if (!text) return text.error();
            out.emplace_back(AsString(*text));
        }
        return out;
    }

    TempDir tmp_;
    std::string data_ = tmp_ / "data";
    std::unique_ptr<app::DataDir> dir_;
    std::string otp_, recovery_, receipt_;
    CaseId case_id_;
};

TEST_F(ConfidentialityTest, TheTeamReadsTheCase) {
    auto team = TeamKeys();
    ASSERT_TRUE(team);
    auto texts = ReadCase(*team);
    ASSERT_TRUE(texts.ok()) << texts.error().message;
    EXPECT_EQ(*texts, kPersonal);
    // The applicant's receipt opens the same case key.
    auto rec = dir_->store->FindCase(case_id_);
    EXPECT_TRUE(crypto::UnwrapCaseKeyWithReceipt(receipt_, case_id_, rec->receipt_wrapped_key).ok());
}

TEST_F(ConfidentialityTest, NoPersonalStringInAnyDatabaseFile) {
    (void)TeamKeys();  // sessions, TOTP secret and new password land in the store too
    dir_.reset();      // close, so everything is on disk
    std::vector<std::string> secrets = kPersonal;
    secrets.insert(secrets.end(), {otp_, recovery_, receipt_, "a new long password"});
    int files = 0;
    for (const auto& entry : std::filesystem::directory_iterator(data_)) {
        if (entry.path().filename() == "secrets") continue;  // the keys file is the one thing to guard
        const auto bytes = ReadFile(entry.path().string());
        ++files;
        for (const auto& s : secrets) {
            EXPECT_EQ(bytes.find(s), std::string::npos) << s << " found in " << entry.path();
        }
    }
    EXPECT_GE(files, 1);
}

TEST_F(ConfidentialityTest, AFlippedByteInAnyStoredCiphertextIsACleanError) {
    auto team = TeamKeys();
    ASSERT_TRUE(team);
    struct Target {
        std::string table, column, where;
    };
    const std::vector<Target> targets = {
        {"messages", "ciphertext", "id = (SELECT MIN(id) FROM messages WHERE case_id = 424242)"},
        {"messages", "ciphertext", "id = (SELECT MAX(id) FROM messages WHERE case_id = 424242)"},
        {"cases", "wrapped_key", "id = 424242"},
        {"key_epochs", "ephemeral_public_key", "id = (SELECT key_epoch FROM cases WHERE id = 424242)"},
    };
    for (const auto& t : targets) {
        const Bytes original = ReadBlob(t.table, t.column, t.where);
        ASSERT_FALSE(original.empty()) << t.table << "." << t.column;
        for (std::size_t at = 0; at < original.size(); at += (at < 32 ? 1 : 7)) {
            SCOPED_TRACE(t.table + "." + t.column + " byte " + std::to_string(at));
            Bytes changed = original;
            changed[at] ^= 0x01;
            WriteBlob(t.table, t.column, t.where, changed);
            auto result = ReadCase(*team);
            ASSERT_FALSE(result.ok());
            EXPECT_EQ(result.code(), ErrorCode::kDecryptFailed);
        }
        WriteBlob(t.table, t.column, t.where, original);
        ASSERT_TRUE(ReadCase(*team).ok());
    }
    // The receipt's wrap of the case key, changed anywhere, opens nothing either.
    const Bytes receipt_wrap = ReadBlob("cases", "receipt_wrapped_key", "id = 424242");
    for (std::size_t at = 0; at < receipt_wrap.size(); ++at) {
        Bytes changed = receipt_wrap;
        changed[at] ^= 0x80;
        EXPECT_EQ(crypto::UnwrapCaseKeyWithReceipt(receipt_, case_id_, changed).code(), ErrorCode::kDecryptFailed);
    }
}

TEST_F(ConfidentialityTest, AFlippedByteInAWrappedOperatorKeyIsACleanError) {
    auto team = TeamKeys();  // the admin now has password "a new long password"
    for (const std::string column : {"secret_by_password", "kdf_salt", "team_key_sealed", "secret_by_recovery"}) {
        const Bytes original = ReadBlob("users", column, "username = 'admin'");
        for (std::size_t at : {std::size_t{0}, std::size_t{10}, original.size() - 1}) {
            SCOPED_TRACE(column + " byte " + std::to_string(at));
            Bytes changed = original;
            changed[at] ^= 0x01;
            WriteBlob("users", column, "username = 'admin'", changed);
            auto user = dir_->store->FindUserByName("admin");
            crypto::WrappedOperatorKey w;
            w.public_key = user->public_key;
            w.kdf.salt = user->kdf_salt;
            w.kdf.opslimit = user->kdf_opslimit;
            w.kdf.memlimit = user->kdf_memlimit;
            w.secret_by_password = user->secret_by_password;
            w.secret_by_recovery = user->secret_by_recovery;
            if (column == "secret_by_recovery") {
                EXPECT_EQ(crypto::UnlockWithRecovery(w, recovery_).code(), ErrorCode::kDecryptFailed);
            } else if (column == "team_key_sealed") {
                // The password still unlocks the operator key, but the team key does not open.
                auto keys = crypto::UnlockWithPassword(w, "a new long password");
                ASSERT_TRUE(keys.ok());
                EXPECT_EQ(crypto::OpenTeamKey(user->team_key_sealed, *keys, team->public_key).code(),
                          ErrorCode::kDecryptFailed);
                EXPECT_FALSE(dir_->auth->UnlockTeamKey("admin", "a new long password").ok());
            } else {
                EXPECT_EQ(crypto::UnlockWithPassword(w, "a new long password").code(), ErrorCode::kDecryptFailed);
                EXPECT_EQ(dir_->auth->Login("admin", "a new long password").code(), ErrorCode::kUnauthenticated);
            }
        }
        WriteBlob("users", column, "username = 'admin'", original);
    }
    EXPECT_TRUE(dir_->auth->Login("admin", "a new long password").ok());
}

}  // namespace
}  // namespace lifeline::testing
