#include "core/result.hpp"

#include <gtest/gtest.h>

#include "core/domain.hpp"

namespace lifeline {

TEST(Result, ValueAndError) {
    Result<int> good = 42;
    ASSERT_TRUE(good.ok());
    EXPECT_EQ(*good, 42);
    Result<int> bad(ErrorCode::kNotFound, "no such case");
    EXPECT_FALSE(bad.ok());
    EXPECT_EQ(bad.code(), ErrorCode::kNotFound);
    EXPECT_THROW((void)bad.value(), LifelineError);
    try {
        (void)std::move(bad).ValueOrThrow();
    } catch (const LifelineError& e) {
        EXPECT_EQ(e.code(), ErrorCode::kNotFound);
    }
    EXPECT_EQ(ErrorCodeName(ErrorCode::kDecryptFailed), "decrypt_failed");
}

TEST(Domain, NamesRoundTrip) {
    for (auto r : {Role::kOperator, Role::kCoordinator, Role::kSupervisor, Role::kAdmin})
        EXPECT_EQ(ParseRole(ToString(r)), r);
    EXPECT_FALSE(ParseRole("root"));
    EXPECT_EQ(ParseChannel("whatsapp"), Channel::kWhatsApp);
}

}  // namespace lifeline
