using System.Collections.Concurrent;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;
using Vespa.Core.Envelopes;
using Vespa.Emulator;

namespace Vespa.Perf.Soak;

/// <summary>
/// The soak's requests, drawn at random (fixed seed per caller) with fixed weights: signed requests (JSON, SSE read
/// whole or left after the first event, a backend 503, a slow request left early), forged signatures, bodies over
/// the limit (declared, and streamed), bodies declared but never sent, and malformed envelopes. Counts every answer
/// by kind and status, and every signed request that reached the backend's side of the worker (each must come back
/// in <c>/delete_requests/</c> exactly once).
/// </summary>
internal sealed class TrafficMix
{
    /// <summary>What each caller does, with its weight out of 100.</summary>
    public static readonly (string Kind, int Weight)[] Kinds =
    [
        ("signed_json", 30),
        ("signed_sse", 12),
        ("sse_client_leaves", 10),
        ("backend_503", 5),
        ("slow_client_leaves", 5),
        ("forged_signature", 12),
        ("declared_oversize", 5),
        ("streamed_oversize", 3),
        ("declared_unsent", 8),
        ("malformed", 5),
        ("unsigned", 5),
    ];

    private readonly AutoscalerEmulator _emulator;
    private readonly HttpClient _http;
    private readonly Uri _worker;
    private readonly ConcurrentDictionary<string, long> _answers = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<long, byte> _admitted = new();
    private long _requestIdx;
    private long _completed;

    public TrafficMix(AutoscalerEmulator emulator, HttpClient http, Uri worker)
    {
        _emulator = emulator;
        _http = http;
        _worker = worker;
    }

    /// <summary>Requests done so far, all kinds.</summary>
    public long Completed => Interlocked.Read(ref _completed);

    /// <summary>"kind status" → count.</summary>
    public IReadOnlyDictionary<string, long> Answers => _answers;

    /// <summary>request_idx of every signed request the worker admitted (its whole body was sent).</summary>
    public ICollection<long> Admitted => _admitted.Keys;

    /// <summary>One caller: requests at <paramref name="perSecond"/> until <paramref name="stop"/>.</summary>
    public async Task RunAsync(int seed, double perSecond, CancellationToken stop)
    {
        var random = new Random(seed);
        var period = TimeSpan.FromSeconds(1 / perSecond);
        while (!stop.IsCancellationRequested)
        {
            var started = DateTime.UtcNow;
            var kind = Pick(random);
            string status;
            try
            {
                status = await SendAsync(kind, random, stop);
            }
            catch (OperationCanceledException) when (stop.IsCancellationRequested)
            {
                return;
            }
            catch (Exception ex) when (ex is HttpRequestException or IOException or SocketException or OperationCanceledException)
            {
                status = "exception " + ex.GetType().Name;
            }

            _answers.AddOrUpdate(kind + " " + status, 1, (_, n) => n + 1);
            Interlocked.Increment(ref _completed);
            var rest = period - (DateTime.UtcNow - started);
            if (rest > TimeSpan.Zero)
            {
                try
                {
                    await Task.Delay(rest, stop);
                }
                catch (OperationCanceledException)
                {
                    return;
                }
            }
        }
    }

    private static string Pick(Random random)
    {
        var roll = random.Next(Kinds.Sum(k => k.Weight));
        foreach (var (kind, weight) in Kinds)
        {
            if (roll < weight)
            {
                return kind;
            }

            roll -= weight;
        }

        return Kinds[0].Kind;
    }

    private AuthData Sign(Random random)
    {
        var idx = Interlocked.Increment(ref _requestIdx);
        var route = _emulator.Route(EmulatedEndpoint.Default.Name, random.Next(1, 50), idx);
        return route.AuthData ?? throw new InvalidOperationException("the emulator routes nowhere: " + route.Status);
    }

    private static StringContent Envelope(AuthData auth, string payload) =>
        new("{\"auth_data\": " + auth.ToJson() + ", \"payload\": " + payload + "}", Encoding.UTF8, "application/json");

    private async Task<string> SendAsync(string kind, Random random, CancellationToken stop)
    {
        switch (kind)
        {
            case "signed_json":
            {
                var auth = Sign(random);
                var payload = "{\"prompt\":\"" + new string('p', random.Next(10, 4000)) + "\"}";
                _admitted.TryAdd(auth.RequestIdxValue!.Value, 0);
                using var response = await _http.PostAsync(new Uri(_worker, "/v1/echo"), Envelope(auth, payload), stop);
                var echoed = await response.Content.ReadAsStringAsync(stop);
                return response.StatusCode == HttpStatusCode.OK && echoed == payload ? "200 echoed" : Code(response) + " wrong answer";
            }

            case "signed_sse":
            {
                var auth = Sign(random);
                _admitted.TryAdd(auth.RequestIdxValue!.Value, 0);
                using var response = await _http.PostAsync(new Uri(_worker, "/sse?n=20&delay_ms=5"), Envelope(auth, "{}"), stop);
                var text = await response.Content.ReadAsStringAsync(stop);
                return text.EndsWith("data: [DONE]\n\n", StringComparison.Ordinal) ? Code(response) + " complete" : Code(response) + " truncated";
            }

            case "sse_client_leaves":
            {
                var auth = Sign(random);
                _admitted.TryAdd(auth.RequestIdxValue!.Value, 0);
                using var request = new HttpRequestMessage(HttpMethod.Post, new Uri(_worker, "/sse?n=200&delay_ms=20")) { Content = Envelope(auth, "{}") };
                using var response = await _http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, stop);
                await using var body = await response.Content.ReadAsStreamAsync(stop);
                _ = await body.ReadAsync(new byte[64], stop);
                return Code(response) + " left after the first event";
            }

            case "backend_503":
            {
                var auth = Sign(random);
                _admitted.TryAdd(auth.RequestIdxValue!.Value, 0);
                using var response = await _http.PostAsync(new Uri(_worker, "/status/503"), Envelope(auth, "{}"), stop);
                return Code(response);
            }

            case "slow_client_leaves":
            {
                var auth = Sign(random);
                _admitted.TryAdd(auth.RequestIdxValue!.Value, 0);
                using var leave = CancellationTokenSource.CreateLinkedTokenSource(stop);
                leave.CancelAfter(TimeSpan.FromMilliseconds(100));
                try
                {
                    using var response = await _http.PostAsync(new Uri(_worker, "/slow?ms=2000"), Envelope(auth, "{}"), leave.Token);
                    return Code(response) + " (the client should have left)";
                }
                catch (OperationCanceledException) when (!stop.IsCancellationRequested)
                {
                    return "left";
                }
            }

            case "forged_signature":
            {
                var signature = new byte[256];
                random.NextBytes(signature);
                var forged = Sign(random).WithSignature(Convert.ToBase64String(signature));
                using var response = await _http.PostAsync(new Uri(_worker, "/v1/echo"), Envelope(forged, "{}"), stop);
                return Code(response);
            }

            case "declared_oversize":
            {
                using var client = await ConnectAsync(stop);
                await SendAsync(client, "POST /v1/echo HTTP/1.1\r\nHost: soak\r\nContent-Type: application/json\r\nContent-Length: 209715200\r\nConnection: close\r\n\r\n", stop);
                return StatusOf(await ReadAllAsync(client, stop));
            }

            case "streamed_oversize":
            {
                // Chunked, no declared length: the limit must be enforced as the bytes arrive.
                using var content = new StreamContent(new MemoryStream(new byte[2 * 1024 * 1024 + 1]));
                content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("application/json");
                using var request = new HttpRequestMessage(HttpMethod.Post, new Uri(_worker, "/v1/echo")) { Content = content };
                request.Headers.TransferEncodingChunked = true;
                using var response = await _http.SendAsync(request, stop);
                return Code(response);
            }

            case "declared_unsent":
            {
                // Promises 50 KB, sends 100 bytes of a signed envelope, waits a little, leaves (reset or close).
                using var client = await ConnectAsync(stop);
                var body = Encoding.UTF8.GetBytes("{\"auth_data\": " + Sign(random).ToJson() + ", \"payload\": {}}");
                await SendAsync(client, "POST /v1/echo HTTP/1.1\r\nHost: soak\r\nContent-Type: application/json\r\nContent-Length: 50000\r\n\r\n", stop);
                await client.GetStream().WriteAsync(body.AsMemory(0, Math.Min(100, body.Length)), stop);
                await Task.Delay(random.Next(50, 1500), stop);
                if (random.Next(2) == 0)
                {
                    client.Client.LingerState = new LingerOption(true, 0);
                }

                client.Close();
                return "left";
            }

            case "malformed":
            {
                using var response = await _http.PostAsync(new Uri(_worker, "/v1/echo"), new StringContent("{\"auth_data\": {\"cost\": [[[", Encoding.UTF8, "application/json"), stop);
                return Code(response);
            }

            default:
            {
                using var response = await _http.GetAsync(new Uri(_worker, "/v1/models"), stop);
                return Code(response);
            }
        }
    }

    private static string Code(HttpResponseMessage response) => ((int)response.StatusCode).ToString(CultureInfo.InvariantCulture);

    private async Task<TcpClient> ConnectAsync(CancellationToken stop)
    {
        var client = new TcpClient();
        await client.ConnectAsync(IPAddress.Loopback, _worker.Port, stop);
        return client;
    }

    private static async Task SendAsync(TcpClient client, string text, CancellationToken stop) =>
        await client.GetStream().WriteAsync(Encoding.ASCII.GetBytes(text), stop);

    private static async Task<string> ReadAllAsync(TcpClient client, CancellationToken stop)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(stop);
        timeout.CancelAfter(TimeSpan.FromSeconds(10));
        using var reader = new StreamReader(client.GetStream(), Encoding.ASCII);
        return await reader.ReadToEndAsync(timeout.Token);
    }

    private static string StatusOf(string response) =>
        response.Length > 12 && response.StartsWith("HTTP/1.1 ", StringComparison.Ordinal) ? response[9..12] : "no status";
}
