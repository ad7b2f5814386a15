using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Vespa.Core.Signatures;
using Vespa.Emulator;

namespace Vespa.Testing;

/// <summary>Starts emulators on 127.0.0.1:0 with one shared signing key (RSA generation is slow) and talks to them.</summary>
public static class EmulatorTestKit
{
    private static readonly Lazy<string> SharedPrivateKeyPem = new(() =>
    {
        using var signer = EnvelopeSigner.Create();
        return signer.ExportPrivateKeyPem();
    });

    public static HttpClient Http { get; } = new() { Timeout = TaskTimeoutExtensions.Timeout };

    public static string PrivateKeyPem => SharedPrivateKeyPem.Value;

    public static Task<AutoscalerEmulator> StartAsync(Action<EmulatorOptions>? configure = null)
    {
        // Tests of other things must not lose a worker to a stall of the shared machine: staleness waits 30 s here,
        // and the staleness tests set their own limits on a FakeTimeProvider.
        var options = new EmulatorOptions { Port = 0, PrivateKeyPem = PrivateKeyPem, MinimumStaleAfter = TimeSpan.FromSeconds(30) };
        configure?.Invoke(options);
        return AutoscalerEmulator.StartAsync(options).DefaultTimeout();
    }

    public static Uri Url(AutoscalerEmulator emulator, string pathAndQuery) => new(emulator.BaseUrl, pathAndQuery);

    public static Task<Reply> PostAsync(AutoscalerEmulator emulator, string pathAndQuery, string body, string? bearer = null) =>
        SendAsync(HttpMethod.Post, Url(emulator, pathAndQuery), body, bearer);

    public static Task<Reply> GetAsync(AutoscalerEmulator emulator, string pathAndQuery, string? bearer = null) =>
        SendAsync(HttpMethod.Get, Url(emulator, pathAndQuery), null, bearer);

    public static Task<Reply> RouteAsync(AutoscalerEmulator emulator, string body, string? bearer = "local-endpoint-key") =>
        PostAsync(emulator, "/route/", body, bearer);

    public static async Task<Reply> SendAsync(HttpMethod method, Uri url, string? body, string? bearer, HttpClient? client = null)
    {
        using var request = new HttpRequestMessage(method, url);
        if (body is not null)
        {
            request.Content = new StringContent(body, Encoding.UTF8, "application/json");
        }

        if (bearer is not null)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", bearer);
        }

        using var response = await (client ?? Http).SendAsync(request).DefaultTimeout();
        var text = await response.Content.ReadAsStringAsync().DefaultTimeout();
        return new Reply(response.StatusCode, text, response.Content.Headers.ContentType?.MediaType);
    }

    /// <summary>A /worker_status/ body with every SDK field, keys in a different order than the SDK's.</summary>
    public static string StatusBody(string url = "http://127.0.0.1:3000", double loadtime = 1.5, string errorMsg = "", long id = 7, double curLoad = 0) =>
        $$"""
        {"url": "{{url}}", "loadtime": {{loadtime.ToString(System.Globalization.CultureInfo.InvariantCulture)}}, "error_msg": "{{errorMsg}}",
         "id": {{id}}, "mtoken": "master-token", "version": "1.1.0", "cur_load": {{curLoad.ToString(System.Globalization.CultureInfo.InvariantCulture)}}, "rej_load": 2.0,
         "new_load": 300.0, "max_perf": 1234.5, "cur_perf": 250.0, "cur_capacity": 0, "max_capacity": 0,
         "num_requests_working": 2, "num_requests_recieved": 9, "additional_disk_usage": 0.25,
         "working_request_idxs": [11, 12], "some_future_field": {"nested": [1, 2]} }
        """;

    /// <summary>An HTTP answer, read in full.</summary>
    public sealed record Reply(HttpStatusCode Status, string Body, string? MediaType)
    {
        public JsonElement Json()
        {
            using var document = JsonDocument.Parse(Body);
            return document.RootElement.Clone();
        }
    }
}
