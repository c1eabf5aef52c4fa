#include "http/router.hpp"

#include <gtest/gtest.h>

#include <future>
#include <string>
#include <thread>
#include <vector>

namespace lifeline::http {
namespace {

Request Make(std::string method, std::string path) {
    Request r;
    r.method = std::move(method);
    r.path = std::move(path);
    r.target = r.path;
    return r;
}

Handler Returns(std::string text) {
    return [text = std::move(text)](Request&) { return Response::Text(200, text); };
}

TEST(RouterTest, MatchesLiteralsAndParameters) {
    Router router;
    router.Add("GET", "/api/v1/cases", Returns("list"));
    router.Add("GET", "/api/v1/cases/{id}/messages/{mid}", [](Request& r) {
        return Response::Text(200, r.params.at("id") + "," + r.params.at("mid"));
    });
    router.Add("POST", "/api/v1/cases", Returns("create"));

    Request list = Make("GET", "/api/v1/cases");
    EXPECT_EQ(router.Dispatch(list).body, "list");
    EXPECT_EQ(list.route, "/api/v1/cases");

    Request create = Make("POST", "/api/v1/cases");
    EXPECT_EQ(router.Dispatch(create).body, "create");

    Request nested = Make("GET", "/api/v1/cases/17/messages/99");
    EXPECT_EQ(router.Dispatch(nested).body, "17,99");
    EXPECT_EQ(nested.route, "/api/v1/cases/{id}/messages/{mid}");
    EXPECT_EQ(nested.params.size(), 2u);
}

TEST(RouterTest, NotFoundIsJson) {
    Router router;
    router.Add("GET", "/a/{id}", Returns("a"));
    for (const char* path : {"/b", "/a", "/a/", "/a/1/2", "", "a/1"}) {
        Request r = Make("GET", path);
        const Response response = router.Dispatch(r);
        EXPECT_EQ(response.status, 404) << path;
        EXPECT_NE(response.body.find("\"code\":\"not_found\""), std::string::npos);
        EXPECT_EQ(response.headers.Get("Content-Type"), "application/json");
        EXPECT_EQ(r.route, "unmatched");
        EXPECT_EQ(router.RouteOf(r), "unmatched");
    }
}

TEST(RouterTest, MethodNotAllowedListsAllow) {
    Router router;
    router.Add("GET", "/things/{id}", Returns("get"));
    router.Add("DELETE", "/things/{id}", Returns("delete"));
    router.Add("POST", "/things", Returns("post"));
    Request r = Make("PUT", "/things/3");
    const Response response = router.Dispatch(r);
    EXPECT_EQ(response.status, 405);
    EXPECT_EQ(response.headers.Get("Allow"), "DELETE, GET, HEAD");
    EXPECT_NE(response.body.find("method_not_allowed"), std::string::npos);
    EXPECT_EQ(r.route, "unmatched");
}

TEST(RouterTest, LiteralBeatsParameterWhateverTheOrder) {
    Router router;
    router.Add("GET", "/users/{id}", Returns("param"));
    router.Add("GET", "/users/me", Returns("me"));
    router.Add("GET", "/users/{id}/keys", Returns("keys"));
    router.Add("GET", "/{any}/me/keys", Returns("any"));
    Request me = Make("GET", "/users/me");
    EXPECT_EQ(router.Dispatch(me).body, "me");
    EXPECT_EQ(me.route, "/users/me");
    EXPECT_TRUE(me.params.empty());
    Request other = Make("GET", "/users/42");
    EXPECT_EQ(router.Dispatch(other).body, "param");
    EXPECT_EQ(other.params.at("id"), "42");
    Request keys = Make("GET", "/users/me/keys");
    EXPECT_EQ(router.Dispatch(keys).body, "keys");  // the first differing segment decides
}

TEST(RouterTest, ALiteralPathUnderAnotherMethodLeavesTheParameterRoute) {
    Router router;
    router.Add("POST", "/items/new", Returns("create"));
    router.Add("GET", "/items/{id}", Returns("item"));
    router.Add("GET", "/items/all", Returns("first"));
    router.Add("GET", "/items/all", Returns("second"));  // the same route twice: the first wins
    Request get_new = Make("GET", "/items/new");
    EXPECT_EQ(router.Dispatch(get_new).body, "item");
    EXPECT_EQ(get_new.params.at("id"), "new");
    Request post_new = Make("POST", "/items/new");
    EXPECT_EQ(router.Dispatch(post_new).body, "create");
    EXPECT_TRUE(post_new.params.empty());
    Request all = Make("GET", "/items/all");
    EXPECT_EQ(router.Dispatch(all).body, "first");
    Request put_new = Make("PUT", "/items/new");
    const Response refused = router.Dispatch(put_new);
    EXPECT_EQ(refused.status, 405);
    EXPECT_EQ(refused.headers.Get("Allow").value_or(""), "GET, HEAD, POST");
    Request trailing = Make("POST", "/items/new/");
    EXPECT_EQ(router.Dispatch(trailing).status, 404);
}

TEST(RouterTest, HeadFallsBackToGet) {
    Router router;
    router.Add("GET", "/page", Returns("get"));
    Request head = Make("HEAD", "/page");
    EXPECT_EQ(router.Dispatch(head).status, 200);
    EXPECT_EQ(router.RouteOf(head), "/page");
    router.Add("HEAD", "/page", Returns("head"));
    Request head2 = Make("HEAD", "/page");
    EXPECT_EQ(router.Dispatch(head2).body, "head");
}

TEST(RouterTest, RouteOfGivesThePatternNeverThePath) {
    Router router;
    router.Add("GET", "/items/{id}", Returns("x"));
    Request r = Make("GET", "/items/secret-name");
    EXPECT_EQ(router.RouteOf(r), "/items/{id}");
    EXPECT_TRUE(r.route.empty());  // RouteOf does not modify
}

TEST(RouterTest, RootAndStaleParamsCleared) {
    Router router;
    router.Add("GET", "/", Returns("root"));
    Request r = Make("GET", "/");
    r.params["stale"] = "x";
    EXPECT_EQ(router.Dispatch(r).body, "root");
    EXPECT_TRUE(r.params.empty());
}

TEST(RouterTest, HandlerExceptionsPropagate) {
    Router router;
    router.Add("GET", "/boom", [](Request&) -> Response { throw LifelineError(ErrorCode::kForbidden, "no"); });
    Request r = Make("GET", "/boom");
    EXPECT_THROW(router.Dispatch(r), LifelineError);
    EXPECT_EQ(r.route, "/boom");  // set before the handler runs, for the metrics label
}

TEST(RouterTest, AsyncRoutesAreKnownAndAnsweredEitherWay) {
    Router router;
    router.Add("GET", "/blocking", Returns("blocking"));
    router.AddAsync("POST", "/forms/{kind}", [](Request& r, const Responder& responder) {
        // Answered from another thread, as the store does.
        std::thread([responder, kind = r.params.at("kind")] {
            responder.Render([kind] { return Response::Text(201, "stored " + kind); });
        }).detach();
    });

    // As the server does: the route is resolved once, then run the way its kind asks.
    const auto is_async = [&](Request r) {
        Response fallback;
        const Router::Route* route = router.Resolve(r, &fallback);
        return route != nullptr && Router::IsAsync(*route);
    };
    Request form = Make("POST", "/forms/apply");
    Request get = Make("GET", "/blocking");
    Request missing = Make("GET", "/nowhere");
    EXPECT_TRUE(is_async(form));
    EXPECT_FALSE(is_async(get));
    EXPECT_FALSE(is_async(missing));

    // Dispatch waits for the answer of an asynchronous route.
    Response waited = router.Dispatch(form);
    EXPECT_EQ(waited.status, 201);
    EXPECT_EQ(waited.body, "stored apply");
    EXPECT_EQ(form.route, "/forms/{kind}");

    // RunAsync answers a blocking route through the responder; the 404 and 405 come from Resolve.
    const auto through = [&](Request r) {
        std::promise<Response> answer;
        Responder responder([&](std::function<Response()> make) { answer.set_value(make()); });
        Response fallback;
        if (const Router::Route* route = router.Resolve(r, &fallback)) {
            Router::RunAsync(*route, r, responder);
        } else {
            responder.Send(std::move(fallback));
        }
        return answer.get_future().get();
    };
    EXPECT_EQ(through(Make("GET", "/blocking")).body, "blocking");
    EXPECT_EQ(through(Make("GET", "/nowhere")).status, 404);
    EXPECT_EQ(through(Make("GET", "/forms/apply")).status, 405);
}

TEST(RouterTest, AResponderAnswersOnceAndA500WhenDropped) {
    std::vector<std::string> answers;
    {
        Responder responder([&](std::function<Response()> make) { answers.push_back(make().body); });
        Responder copy = responder;
        copy.Send(Response::Text(200, "first"));
        responder.Send(Response::Text(200, "second"));
    }
    EXPECT_EQ(answers, (std::vector<std::string>{"first"}));
    int status = 0;
    { Responder lost([&](std::function<Response()> make) { status = make().status; }); }
    EXPECT_EQ(status, 500);
}

}  // namespace
}  // namespace lifeline::http
