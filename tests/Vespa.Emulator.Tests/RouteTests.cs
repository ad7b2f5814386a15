using System.Net;
using System.Text.Json;
using Vespa.Core.Envelopes;
using Vespa.Core.Signatures;
using static Vespa.Testing.EmulatorTestKit;

namespace Vespa.Emulator.Tests;

/// <summary><c>POST /route/</c>: READY and WAITING answers, signing, counters, keys, eligibility.</summary>
public sealed class RouteTests
{
    private const string RouteBody = """{"endpoint": "local", "cost": 100}""";

    [Theory]
    [InlineData(SignatureScheme.Url)]
    [InlineData(SignatureScheme.Legacy)]
    public async Task PubKey_VerifiesRouteSignature_UnderTheConfiguredScheme(SignatureScheme scheme)
    {
        await using var emulator = await StartAsync(o =>
        {
            o.Scheme = scheme;
            o.Workers.Add(new Uri("http://127.0.0.1:3000/"));
        });

        var pubkey = await GetAsync(emulator, "/pubkey/");
        var route = await RouteAsync(emulator, """{"endpoint": "local", "api_key": "local-endpoint-key", "cost": 100, "request_idx": 0, "replay_timeout": 60.0}""");

        Assert.Equal(HttpStatusCode.OK, pubkey.Status);
        Assert.StartsWith("-----BEGIN PUBLIC KEY-----", pubkey.Body, StringComparison.Ordinal);
        Assert.Equal(emulator.PublicKeyPem, pubkey.Body);
        Assert.Equal(HttpStatusCode.OK, route.Status);
        var answer = route.Json();
        Assert.Equal("http://127.0.0.1:3000", answer.GetProperty("url").GetString());
        Assert.Equal("local", answer.GetProperty("endpoint").GetString());
        Assert.Equal(100.0, answer.GetProperty("cost").GetDouble());
        Assert.False(string.IsNullOrEmpty(answer.GetProperty("__request_id").GetString()));

        // The client copies the answer's fields into auth_data exactly as they came.
        var authData = AuthData.Create(
            answer.GetProperty("cost"),
            answer.GetProperty("endpoint"),
            answer.GetProperty("reqnum"),
            answer.GetProperty("request_idx"),
            answer.GetProperty("signature"),
            answer.GetProperty("url"));
        using var verifier = EnvelopeVerifier.FromPublicKey(pubkey.Body);
        Assert.True(verifier.Verify(authData, scheme).IsValid);
        Assert.Equal(scheme, verifier.Verify(authData, SignatureScheme.Auto).MatchedScheme);
        var other = scheme == SignatureScheme.Url ? SignatureScheme.Legacy : SignatureScheme.Url;
        Assert.False(verifier.Verify(authData, other).IsValid);
    }

    [Fact]
    public async Task Route_LegacyScheme_SignatureCoversTheCostTokenSent()
    {
        await using var emulator = await StartAsync(o =>
        {
            o.Scheme = SignatureScheme.Legacy;
            o.Workers.Add(new Uri("http://127.0.0.1:3000"));
        });

        var answer = (await RouteAsync(emulator, """{"endpoint": "local", "cost": 7}""")).Json();

        // Python reads 7.0 back as a float and re-serialises "7.0": the signed message must use that token.
        Assert.Equal("7.0", answer.GetProperty("cost").GetRawText());
    }

    [Fact]
    public async Task Route_NoWorkerKnown_AnswersWaitingWithoutUrl()
    {
        await using var emulator = await StartAsync();

        var route = await RouteAsync(emulator, RouteBody);

        Assert.Equal(HttpStatusCode.OK, route.Status);
        var answer = route.Json();
        Assert.False(answer.TryGetProperty("url", out _));
        Assert.False(answer.TryGetProperty("signature", out _));
        Assert.Equal("local", answer.GetProperty("endpoint").GetString());
        Assert.Equal(RouteResult.NoWorkersReady, answer.GetProperty("status").GetString());
        Assert.True(answer.GetProperty("request_idx").GetInt64() > 0);
        Assert.False(string.IsNullOrEmpty(answer.GetProperty("__request_id").GetString()));
    }

    [Fact]
    public async Task Route_Repeated_ReqnumIncrementsAndRetryKeepsRequestIdx()
    {
        await using var emulator = await StartAsync(o => o.Workers.Add(new Uri("http://127.0.0.1:3000")));

        var first = (await RouteAsync(emulator, RouteBody)).Json();
        var idx = first.GetProperty("request_idx").GetInt64();
        var retry = (await RouteAsync(emulator, $$"""{"endpoint": "local", "cost": 100, "request_idx": {{idx}}}""")).Json();
        var next = (await RouteAsync(emulator, """{"endpoint": "local", "cost": 100, "request_idx": 0}""")).Json();

        Assert.Equal(1, first.GetProperty("reqnum").GetInt64());
        Assert.Equal(2, retry.GetProperty("reqnum").GetInt64());
        Assert.Equal(3, next.GetProperty("reqnum").GetInt64());
        Assert.Equal(idx, retry.GetProperty("request_idx").GetInt64());
        Assert.NotEqual(idx, next.GetProperty("request_idx").GetInt64());
        Assert.NotEqual(first.GetProperty("__request_id").GetString(), retry.GetProperty("__request_id").GetString());
    }

    [Fact]
    public async Task Route_WaitingThenRetryWithItsIdx_KeepsIdxWhenReady()
    {
        await using var emulator = await StartAsync();

        var waiting = (await RouteAsync(emulator, RouteBody)).Json();
        emulator.RegisterWorker(new Uri("http://127.0.0.1:3000"));
        var idx = waiting.GetProperty("request_idx").GetInt64();
        var ready = (await RouteAsync(emulator, $$"""{"endpoint": "local", "cost": 100, "request_idx": {{idx}}}""")).Json();

        Assert.Equal(idx, ready.GetProperty("request_idx").GetInt64());
        Assert.Equal("http://127.0.0.1:3000", ready.GetProperty("url").GetString());
    }

    [Theory]
    [InlineData(null, HttpStatusCode.Unauthorized)]
    [InlineData("wrong-key", HttpStatusCode.Unauthorized)]
    [InlineData("local-endpoint-key", HttpStatusCode.OK)]
    public async Task Route_BearerKey_CheckedAgainstTheEndpointKey(string? bearer, HttpStatusCode expected)
    {
        await using var emulator = await StartAsync();

        var route = await RouteAsync(emulator, RouteBody, bearer);

        Assert.Equal(expected, route.Status);
        if (expected == HttpStatusCode.Unauthorized)
        {
            Assert.False(string.IsNullOrEmpty(route.Json().GetProperty("error").GetString()));
        }
    }

    [Fact]
    public async Task Route_KeyInBodyOrQuery_Accepted()
    {
        await using var emulator = await StartAsync();

        var inBody = await RouteAsync(emulator, """{"endpoint": "local", "api_key": "local-endpoint-key", "cost": 1}""", bearer: null);
        var inQuery = await PostAsync(emulator, "/route/?api_key=local-endpoint-key", RouteBody);
        var wrongInQuery = await PostAsync(emulator, "/route/?api_key=nope", RouteBody);

        Assert.Equal(HttpStatusCode.OK, inBody.Status);
        Assert.Equal(HttpStatusCode.OK, inQuery.Status);
        Assert.Equal(HttpStatusCode.Unauthorized, wrongInQuery.Status);
    }

    [Fact]
    public async Task Route_KeyOfAnotherEndpoint_401()
    {
        await using var emulator = await StartAsync(o =>
        {
            o.Endpoints.Add(new EmulatedEndpoint("a", "key-a"));
            o.Endpoints.Add(new EmulatedEndpoint("b", "key-b"));
        });

        var route = await RouteAsync(emulator, """{"endpoint": "a", "cost": 1}""", "key-b");

        Assert.Equal(HttpStatusCode.Unauthorized, route.Status);
        Assert.Equal(1, emulator.GetRejectedCount(EmulatorOperation.Route));
    }

    [Fact]
    public async Task Route_KeysNotRequired_AcceptsMissingKey()
    {
        await using var emulator = await StartAsync(o => o.RequireApiKeys = false);

        Assert.Equal(HttpStatusCode.OK, (await RouteAsync(emulator, RouteBody, bearer: null)).Status);
    }

    [Fact]
    public async Task Route_UnknownEndpoint_404WithError()
    {
        await using var emulator = await StartAsync();

        var route = await RouteAsync(emulator, """{"endpoint": "nope", "cost": 1}""");

        Assert.Equal(HttpStatusCode.NotFound, route.Status);
        Assert.Contains("nope", route.Json().GetProperty("error").GetString(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("{not json")]
    [InlineData("[1, 2]")]
    [InlineData("""{"cost": 1}""")]
    [InlineData("""{"endpoint": "local"}""")]
    [InlineData("""{"endpoint": "local", "cost": "100"}""")]
    [InlineData("""{"endpoint": "local", "cost": 1, "request_idx": 1.5}""")]
    [InlineData("""{"endpoint": "local", "cost": 1, "request_idx": -1}""")]
    public async Task Route_BadBody_400WithError(string body)
    {
        await using var emulator = await StartAsync();

        var route = await RouteAsync(emulator, body);

        Assert.Equal(HttpStatusCode.BadRequest, route.Status);
        Assert.Equal("application/json", route.MediaType);
        Assert.False(string.IsNullOrEmpty(route.Json().GetProperty("error").GetString()));
    }

    [Fact]
    public async Task Route_WithoutTrailingSlash_Served()
    {
        await using var emulator = await StartAsync();

        Assert.Equal(HttpStatusCode.OK, (await PostAsync(emulator, "/route", RouteBody, "local-endpoint-key")).Status);
    }

    [Fact]
    public async Task Route_WorkerReportedReady_BecomesEligible()
    {
        await using var emulator = await StartAsync();

        var loading = await PostAsync(emulator, "/worker_status/", StatusBody("http://10.0.0.1:4000", loadtime: 0));
        var whileLoading = (await RouteAsync(emulator, RouteBody)).Json();
        await PostAsync(emulator, "/worker_status/", StatusBody("http://10.0.0.1:4000", loadtime: 3.5));
        var whenReady = (await RouteAsync(emulator, RouteBody)).Json();

        Assert.Equal(HttpStatusCode.OK, loading.Status);
        Assert.False(whileLoading.TryGetProperty("url", out _));
        Assert.Equal("http://10.0.0.1:4000", whenReady.GetProperty("url").GetString());
        Assert.Equal(["http://10.0.0.1:4000"], emulator.EligibleWorkers);
    }

    [Fact]
    public async Task Route_WorkerReportsError_NoLongerEligible()
    {
        await using var emulator = await StartAsync();
        await PostAsync(emulator, "/worker_status/", StatusBody("http://10.0.0.1:4000", loadtime: 3.5));

        await PostAsync(emulator, "/worker_status/", StatusBody("http://10.0.0.1:4000", loadtime: 3.5, errorMsg: "backend unhealthy"));
        var route = (await RouteAsync(emulator, RouteBody)).Json();

        Assert.False(route.TryGetProperty("url", out _));
        Assert.Empty(emulator.EligibleWorkers);
    }

    [Fact]
    public async Task Route_WorkerWithEmptyUrl_NotEligible()
    {
        await using var emulator = await StartAsync();

        await PostAsync(emulator, "/worker_status/", StatusBody(url: "", loadtime: 3.5));

        Assert.Empty(emulator.EligibleWorkers);
        Assert.False((await RouteAsync(emulator, RouteBody)).Json().TryGetProperty("url", out _));
    }

    [Fact]
    public async Task Route_SeveralWorkers_RoundRobin()
    {
        await using var emulator = await StartAsync(o => o.Workers.Add(new Uri("http://127.0.0.1:3001")));
        emulator.RegisterWorker(new Uri("http://127.0.0.1:3002"));

        var urls = new List<string?>();
        for (var i = 0; i < 4; i++)
        {
            urls.Add((await RouteAsync(emulator, RouteBody)).Json().GetProperty("url").GetString());
        }

        Assert.Equal(["http://127.0.0.1:3001", "http://127.0.0.1:3002", "http://127.0.0.1:3001", "http://127.0.0.1:3002"], urls);
    }

    [Fact]
    public async Task Route_InProcess_SharesCountersAndSignsForTheWorker()
    {
        await using var emulator = await StartAsync(o => o.Workers.Add(new Uri("http://127.0.0.1:3000")));
        using var verifier = EnvelopeVerifier.FromPublicKey(emulator.PublicKeyPem);

        var overHttp = (await RouteAsync(emulator, RouteBody)).Json();
        var inProcess = emulator.Route("local", cost: 50, requestIdx: 42);

        Assert.True(inProcess.IsReady);
        Assert.Equal(overHttp.GetProperty("reqnum").GetInt64() + 1, inProcess.Reqnum);
        Assert.Equal(42, inProcess.RequestIdx);
        Assert.Equal("http://127.0.0.1:3000", inProcess.Url);
        Assert.True(verifier.Verify(inProcess.AuthData!, SignatureScheme.Url).IsValid);
        Assert.Equal(1, emulator.GetAcceptedCount(EmulatorOperation.Route)); // HTTP requests only
        Assert.Throws<ArgumentException>(() => emulator.Route("nope"));
    }

    [Fact]
    public async Task Route_UnregisteredWorker_NoLongerPicked()
    {
        await using var emulator = await StartAsync(o => o.Workers.Add(new Uri("http://127.0.0.1:3000")));

        Assert.True(emulator.UnregisterWorker(new Uri("http://127.0.0.1:3000/")));

        Assert.False(emulator.Route("local").IsReady);
    }

    [Fact]
    public async Task RouteResult_ParsesAsJsonElementsWithExpectedKeys()
    {
        await using var emulator = await StartAsync(o => o.Workers.Add(new Uri("http://127.0.0.1:3000")));

        var answer = (await RouteAsync(emulator, RouteBody)).Json();

        var keys = answer.EnumerateObject().Select(p => p.Name).ToArray();
        Assert.Equal(["endpoint", "url", "cost", "reqnum", "signature", "request_idx", "__request_id"], keys);
        Assert.Equal(JsonValueKind.String, answer.GetProperty("signature").ValueKind);
        Assert.DoesNotContain("\\u002B", (await RouteAsync(emulator, RouteBody)).Body, StringComparison.Ordinal);
    }
}
