using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;
using Microsoft.Extensions.DependencyInjection;
using Vespa.Testing;
using Vespa.Worker.Envelopes;

namespace Vespa.Worker.Tests.Integration;

/// <summary>
/// Issue 9, finding 2: what callers can make the worker hold before their signature is checked is
/// bounded. Buffers grow with the bytes that arrive, never with the declared length, and all
/// unverified bodies together stay within <c>VESPA_UNVERIFIED_BODY_BUDGET</c>.
/// </summary>
public sealed class UnverifiedBodyTests : IAsyncLifetime
{
    private FakeBackend _backend = null!;
    private PublicKeyServer _keys = null!;

    public async Task InitializeAsync()
    {
        _backend = await FakeBackend.StartAsync();
        _keys = await PublicKeyServer.StartAsync(TestAutoscalerKey.Shared.PublicKeyPem);
    }

    public async Task DisposeAsync()
    {
        await _keys.DisposeAsync();
        await _backend.DisposeAsync();
    }

    private static StringContent Envelope(string payload) =>
        new(TestAutoscalerKey.Envelope(TestAutoscalerKey.Shared.Sign(WorkerUrl.Signed), payload), Encoding.UTF8, "application/json");

    [Fact]
    public async Task BodyBeyondTheBudget_503WithRetryAfter_NothingForwarded_SmallRequestsStillPass()
    {
        await using var worker = await TestWorker.StartAsync(_backend.BaseUrl, _keys.BaseUrl, ("VESPA_UNVERIFIED_BODY_BUDGET", "65536"));
        var marker = WorkerUrl.Marker();
        var big = "\"" + new string('x', 100_000) + "\"";

        using var refused = await worker.Client.PostAsync($"/v1/echo/{marker}", Envelope(big)).DefaultTimeout();
        using var small = await worker.Client.PostAsync($"/v1/echo/{marker}", Envelope("{}")).DefaultTimeout();

        Assert.Equal(HttpStatusCode.ServiceUnavailable, refused.StatusCode);
        Assert.Equal(TimeSpan.FromSeconds(1), refused.Headers.RetryAfter?.Delta);
        Assert.Contains("VESPA_UNVERIFIED_BODY_BUDGET", await refused.Content.ReadAsStringAsync().DefaultTimeout(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.OK, small.StatusCode);
        Assert.Single(_backend.Requests, r => r.Path.Contains(marker, StringComparison.Ordinal));
    }

    [Fact]
    public async Task IdleConnectionsDeclaringHugeBodies_HoldOnlyAFirstBuffer_SignedRequestsPass()
    {
        await using var worker = await TestWorker.StartAsync(_backend.BaseUrl, _keys.BaseUrl);
        var budget = worker.Services.GetRequiredService<UnverifiedBodyBudget>();
        const int Connections = 24;
        var declared = (99L * 1024 * 1024).ToString(CultureInfo.InvariantCulture);
        var clients = new List<TcpClient>();
        try
        {
            for (var i = 0; i < Connections; i++)
            {
                var client = new TcpClient();
                clients.Add(client);
                await client.ConnectAsync(IPAddress.Loopback, worker.BaseUrl.Port).DefaultTimeout();
                var head = $"POST /v1/echo HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: {declared}\r\n\r\n{{\"auth_da";
                await client.GetStream().WriteAsync(Encoding.ASCII.GetBytes(head)).DefaultTimeout();
            }

            // Each reader holds its first buffer (16 KiB), not the 99 MiB it was promised (2.3 GiB in all).
            await TaskTimeoutExtensions.WaitUntilAsync(() => budget.InUse == Connections * RequestBody.InitialSize, "every connection's first buffer");
            using var signed = await worker.Client.PostAsync("/v1/echo/idle-neighbours", Envelope("{}")).DefaultTimeout();
            Assert.Equal(HttpStatusCode.OK, signed.StatusCode);
            Assert.Equal(Connections * RequestBody.InitialSize, budget.InUse);
        }
        finally
        {
            foreach (var client in clients)
            {
                client.Dispose();
            }
        }

        await TaskTimeoutExtensions.WaitUntilAsync(() => budget.InUse == 0, "the budget to be given back when the connections closed");
    }

    [Fact]
    public async Task VerifiedBody_StopsCountingWhileItIsForwarded()
    {
        await using var worker = await TestWorker.StartAsync(_backend.BaseUrl, _keys.BaseUrl);
        var budget = worker.Services.GetRequiredService<UnverifiedBodyBudget>();
        using var cancel = new CancellationTokenSource();

        var call = worker.Client.PostAsync("/hang", Envelope("\"" + new string('y', 50_000) + "\""), cancel.Token);
        await _backend.HangStarted.Task.DefaultTimeout();

        Assert.Equal(0, budget.InUse);
        await cancel.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => call).DefaultTimeout();
    }

    [Fact]
    public async Task SessionEndpoints_ReadAgainstTheSameBudget()
    {
        await using var worker = await TestWorker.StartAsync(_backend.BaseUrl, _keys.BaseUrl, ("VESPA_UNVERIFIED_BODY_BUDGET", "65536"));
        var big = "\"" + new string('z', 100_000) + "\"";

        using var create = await worker.Client.PostAsync("/session/create", Envelope(big)).DefaultTimeout();
        using var end = await worker.Client.PostAsync("/session/end", new StringContent("{\"session_id\": " + big + "}", Encoding.UTF8, "application/json")).DefaultTimeout();

        Assert.Equal(HttpStatusCode.ServiceUnavailable, create.StatusCode);
        Assert.Equal(HttpStatusCode.ServiceUnavailable, end.StatusCode);
        Assert.Contains("VESPA_UNVERIFIED_BODY_BUDGET", await end.Content.ReadAsStringAsync().DefaultTimeout(), StringComparison.Ordinal);
    }
}
