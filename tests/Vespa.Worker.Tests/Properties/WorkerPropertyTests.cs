using System.Net;
using System.Text;
using System.Text.Json;
using CsCheck;
using Vespa.Core.Envelopes;
using Vespa.Core.Json;
using Vespa.Core.Signatures;
using Vespa.Testing;
using Vespa.Worker.Tests.Infrastructure;

namespace Vespa.Worker.Tests.Properties;

/// <summary>
/// Issue 9, deliverable 12: whatever a caller sends, the real worker (Kestrel on 127.0.0.1:0, the
/// autoscaler emulator, a loopback backend) answers with the backend's answer or its own 4xx, never
/// its own 5xx, stays alive, and keeps reporting finite numbers to the autoscaler. Inputs: envelopes
/// with every JSON number form in auth_data (signed with the test key where they can be, under both
/// schemes), query forms, headers, and raw request lines. Fixed seed and count here
/// (<see cref="PropertyRun"/>); <c>scripts/property-tests.sh</c> runs them longer.
/// </summary>
public sealed class WorkerPropertyTests : IAsyncLifetime
{
    private const string EchoPath = "/v1/echo/property";

    private static readonly string[] PathSegments = ["v1", "echo", "a", "", ".", "..", "%2F", "%2f", "%5C", "%2E%2E", "%25", "%", "%G1", "%00", "~x", "%C3%A9", "admin", "b;c", "*"];

    private ReportingHarness _harness = null!;
    private EnvelopeSigner _signer = null!;

    public async Task InitializeAsync()
    {
        _harness = await ReportingHarness.StartAsync(settings: [("VESPA_BLOCKED_PATHS", "/admin/*")]);
        _signer = EnvelopeSigner.FromPrivateKeyPem(TestAutoscalerKey.Shared.PrivateKeyPem);
    }

    public async Task DisposeAsync()
    {
        _signer.Dispose();
        await _harness.DisposeAsync();
    }

    private HttpClient Client => _harness.Worker.Client;

    private static string ThisWorker => JsonGen.Quote(ReportingHarness.PublicUrl.ToString());

    private sealed record AuthCase(string Cost, string Endpoint, string Reqnum, string RequestIdx, string Url, SignatureScheme Scheme, int SignatureKind)
    {
        public override string ToString() => $"cost={Cost} endpoint={Endpoint} reqnum={Reqnum} request_idx={RequestIdx} url={Url} scheme={Scheme} signature={SignatureKind}";
    }

    /// <summary>Costs that overflow or swamp running totals (issue 9, finding 1) come up often, the rest is any value.</summary>
    private static readonly Gen<AuthCase> AuthCases = Gen.Select(
        Gen.Frequency((1, Gen.OneOf("1e308", "1.5e300", "1e16", "-1", "-1e308", "1e9")), (4, JsonGen.Value)),
        Gen.Frequency((3, JsonGen.String), (1, JsonGen.Value)),
        Gen.Frequency((3, JsonGen.Number), (1, JsonGen.Value)),
        Gen.Frequency((3, JsonGen.Number), (1, JsonGen.Value)),
        Gen.Frequency((6, Gen.Const(ThisWorker)), (1, Gen.Const("\"http://198.51.100.9:1\"")), (1, JsonGen.Value)),
        Gen.OneOf(SignatureScheme.Url, SignatureScheme.Legacy),
        Gen.Frequency((6, Gen.Const(0)), (1, Gen.Const(1)), (1, Gen.Const(2)), (1, Gen.Const(3))),
        (cost, endpoint, reqnum, idx, url, scheme, kind) => new AuthCase(cost, endpoint, reqnum, idx, url, scheme, kind));

    /// <summary>The auth_data object as text: the tokens exactly as generated, with a signature of the case's kind.</summary>
    private string AuthJson(AuthCase c)
    {
        var signature = c.SignatureKind switch
        {
            0 => JsonGen.Quote(Sign(c) ?? "bm90IHNpZ25lZA=="),
            1 => JsonGen.Quote(TestAutoscalerKey.Other.Sign("http://127.0.0.1:41234").SignatureText!),
            2 => "\"" + Convert.ToBase64String(new byte[256]) + "\"",
            _ => "12345",
        };
        return $"{{\"cost\": {c.Cost}, \"endpoint\": {c.Endpoint}, \"reqnum\": {c.Reqnum}, \"request_idx\": {c.RequestIdx}, \"signature\": {signature}, \"url\": {c.Url}}}";
    }

    /// <summary>Signs the case's values with the autoscaler's test key, or <c>null</c> when they cannot be (not JSON, lone surrogates).</summary>
    private string? Sign(AuthCase c)
    {
        try
        {
            using var document = JsonDocument.Parse($"[{c.Cost}, {c.Endpoint}, {c.Reqnum}, {c.RequestIdx}, {c.Url}]", new JsonDocumentOptions { MaxDepth = 1000 });
            var v = document.RootElement;
            var auth = AuthData.Create(v[0], v[1], v[2], v[3], JsonValues.FromString(""), v[4]);
            return _signer.Sign(auth, c.Scheme);
        }
        catch (Exception ex) when (ex is JsonException or FormatException)
        {
            return null;
        }
    }

    /// <summary>The backend's answer (echo headers), or a worker answer below 500.</summary>
    private static void AssertAnswered(HttpResponseMessage response, string input)
    {
        var fromBackend = response.Headers.Contains("X-Echo-Method");
        Assert.True(fromBackend || (int)response.StatusCode < 500, $"the worker answered {(int)response.StatusCode} itself for {input}");
    }

    [Fact]
    public async Task Envelopes_AnyAuthDataAndPayload_AnsweredWithoutWorker5xx_WorkerAliveAndReportsFinite()
    {
        var gen = Gen.Select(
            AuthCases,
            Gen.Frequency((5, JsonGen.Value), (1, Gen.Const("{\"truncated\": "))),
            Gen.Frequency((5, Gen.Const("null")), (1, JsonGen.Value)),
            Gen.OneOf("POST", "PUT", "PATCH"));

        await PropertyRun.CheckAsync(gen, async t =>
        {
            var (auth, payload, session, method) = t;
            var body = $"{{\"auth_data\": {AuthJson(auth)}, \"payload\": {payload}, \"session_id\": {session}}}";
            using var request = new HttpRequestMessage(new HttpMethod(method), EchoPath) { Content = new StringContent(body, Encoding.UTF8, "application/json") };
            using var response = await Client.SendAsync(request).DefaultTimeout();
            AssertAnswered(response, body);
        }, t => t.ToString());

        await AssertAliveAndReportsFiniteAsync();
    }

    [Fact]
    public async Task QueryForms_AnyServerlessParameters_AnsweredWithoutWorker5xx_WorkerAliveAndReportsFinite()
    {
        var parameter = Gen.Frequency((3, JsonGen.Number.Select(n => (string?)n)), (2, JsonGen.Text.Select(n => (string?)n)), (1, Gen.Const((string?)null)));
        var gen = Gen.Select(
            AuthCases.Where(c => c.Cost.Length > 0 && JsonValues.IsJsonNumber(c.Cost) && JsonValues.IsJsonNumber(c.Reqnum) && JsonValues.IsJsonNumber(c.RequestIdx)),
            Gen.Bool,
            parameter.Array[6],
            Gen.Select(JsonGen.Text, JsonGen.Text).Array[0, 3],
            Gen.OneOf("GET", "DELETE", "HEAD", "OPTIONS", "POST"));

        await PropertyRun.CheckAsync(gen, async t =>
        {
            var (auth, signed, raw, extra, method) = t;
            var query = new List<string>();
            if (signed && Sign(auth) is { } signature && TryText(auth.Endpoint) is { } endpoint && TryText(auth.Url) is { } url)
            {
                query.Add(Pair("serverless_cost", auth.Cost));
                query.Add(Pair("serverless_endpoint", endpoint));
                query.Add(Pair("serverless_reqnum", auth.Reqnum));
                query.Add(Pair("serverless_request_idx", auth.RequestIdx));
                query.Add(Pair("serverless_signature", signature));
                query.Add(Pair("serverless_url", url));
            }
            else
            {
                string[] names = ["serverless_cost", "serverless_endpoint", "serverless_reqnum", "serverless_request_idx", "serverless_signature", "serverless_url"];
                query.AddRange(names.Zip(raw).Where(p => p.Second is not null).Select(p => Pair(p.First, p.Second!)));
            }

            query.AddRange(extra.Select(p => Pair(p.Item1, p.Item2)));
            var target = EchoPath + (query.Count > 0 ? "?" + string.Join('&', query) : "");
            using var request = new HttpRequestMessage(new HttpMethod(method), target);
            using var response = await Client.SendAsync(request).DefaultTimeout();
            AssertAnswered(response, target);
        }, t => t.ToString());

        await AssertAliveAndReportsFiniteAsync();
    }

    [Fact]
    public async Task Headers_AnyAuthHeaderAndForwardingClaims_AnsweredWithoutWorker5xx_WorkerAliveAndReportsFinite()
    {
        var printable = Gen.String[Gen.Char[' ', '~'], 0, 60];
        var gen = Gen.Select(
            Gen.Frequency((3, AuthCases.Select(c => (string?)AuthJson(c))), (2, printable.Select(s => (string?)s)), (1, Gen.Const((string?)null))),
            Gen.Select(Gen.OneOf("X-Forwarded-For", "X-Forwarded-Host", "Forwarded", "X-Real-IP", "Content-Encoding", "Expect", "X-Vespa-Auth-Data", "Authorization", "Cookie"), printable).Array[0, 4],
            Gen.Byte.Array[0, 200],
            Gen.OneOf("application/octet-stream", "application/json", "text/plain; charset=utf-8", "multipart/form-data; boundary=x"));

        await PropertyRun.CheckAsync(gen, async t =>
        {
            var (authHeader, headers, body, contentType) = t;
            using var request = new HttpRequestMessage(HttpMethod.Post, EchoPath) { Content = new ByteArrayContent(body) };
            request.Content.Headers.TryAddWithoutValidation("Content-Type", contentType);
            if (authHeader is not null)
            {
                request.Headers.TryAddWithoutValidation("X-Vespa-Auth-Data", authHeader);
            }

            foreach (var (name, value) in headers)
            {
                request.Headers.TryAddWithoutValidation(name, value.Trim());
            }

            using var response = await Client.SendAsync(request).DefaultTimeout();
            AssertAnswered(response, request.ToString());
        }, t => t.ToString());

        await AssertAliveAndReportsFiniteAsync();
    }

    [Fact]
    public async Task RawRequestLines_AnyTarget_AnsweredWithoutWorker5xx_WorkerAliveAndReportsFinite()
    {
        var gen = Gen.Select(
            Gen.OneOf("GET", "POST", "HEAD", "DELETE", "OPTIONS", "PUT", "PATCH", "FOO"),
            Gen.OneOf(PathSegments).Array[0, 6],
            Gen.Frequency((3, Gen.Const("")), (1, Gen.Const("?serverless_signature=x&serverless_url=y")), (1, JsonGen.Text.Select(q => "?" + Uri.EscapeDataString(q)))),
            Gen.OneOf("", "http://127.0.0.1", "//"));

        await PropertyRun.CheckAsync(gen, async t =>
        {
            var (method, segments, query, prefix) = t;
            var target = prefix + "/" + string.Join('/', segments) + query;
            var body = method is "POST" or "PUT" or "PATCH" ? "{\"payload\": {}}" : null;
            var response = await RawHttp.SendAsync(_harness.Worker.BaseUrl, method, target, body);
            var fromBackend = response.Head.Contains("X-Echo-Method", StringComparison.OrdinalIgnoreCase);
            Assert.True(response.Status is >= 100 and < 500 || (fromBackend && response.Status >= 500), $"{method} {target} got {response.Status}: {response.Body}");
        }, t => t.ToString());

        await AssertAliveAndReportsFiniteAsync();
    }

    private static string? TryText(string json)
    {
        try
        {
            using var document = JsonDocument.Parse(json);
            return document.RootElement.ValueKind == JsonValueKind.String ? document.RootElement.GetString() : null;
        }
        catch (Exception ex) when (ex is JsonException or InvalidOperationException)
        {
            return null;
        }
    }

    private static string Pair(string name, string value) => Uri.EscapeDataString(name) + "=" + Uri.EscapeDataString(value);

    /// <summary>
    /// The worker still answers, its status reporter still runs (a report after the property), and
    /// every number reported is finite. Extreme costs make this depend on the accounting fix of
    /// issue 9, finding 1 (cost clamped, interval sums): before it, two 1e308 costs stop the reporter.
    /// </summary>
    private async Task AssertAliveAndReportsFiniteAsync()
    {
        using (var ping = await Client.GetAsync("/ping").DefaultTimeout())
        {
            Assert.Equal(HttpStatusCode.OK, ping.StatusCode);
        }

        var before = _harness.Emulator.StatusReports.Count;
        await TaskTimeoutExtensions.WaitUntilAsync(() => _harness.Emulator.StatusReports.Count >= before + 2, "two more status reports (the reporter is alive)");
        Assert.All(_harness.Emulator.StatusReports, r =>
        {
            double[] numbers = [r.LoadTime, r.CurLoad, r.RejLoad, r.NewLoad, r.MaxPerf, r.CurPerf, r.AdditionalDiskUsage];
            Assert.All(numbers, n => Assert.True(double.IsFinite(n), "a reported number is not finite: " + r.Json));
        });
    }
}
