using System.Net;
using System.Security.Cryptography.X509Certificates;
using System.Text.Json;
using Vespa.Deploy.Tests.Support;

namespace Vespa.Deploy.Tests;

/// <summary>
/// scripts/start_server.sh run by bash against loopback fakes: vast.ai's sign_cert (signing with a test CA),
/// autoscalers recording /worker_status/, and a stub worker that records how it was exec'd.
/// </summary>
public sealed class StartServerScriptTests : IAsyncLifetime, IDisposable
{
    private const long ContainerId = 4242;

    /// <summary>The /worker_status/ fields of vast-protocol.md §4.1, in the SDK's order.</summary>
    private static readonly string[] StatusFields =
    [
        "id", "mtoken", "version", "loadtime", "cur_load", "rej_load", "new_load", "error_msg", "max_perf", "cur_perf",
        "cur_capacity", "max_capacity", "num_requests_working", "num_requests_recieved", "additional_disk_usage",
        "working_request_idxs", "url",
    ];

    /// <summary>The fields the SDK's <c>data_types.py</c> holds as floats; the other numbers are ints.</summary>
    private static readonly HashSet<string> SdkFloatFields =
        ["loadtime", "cur_load", "rej_load", "new_load", "max_perf", "cur_perf", "additional_disk_usage"];

    private readonly TestCertificateAuthority _authority = new();
    private readonly TempDirectory _dir = new();
    private readonly StubWorker _worker;
    private FakeSignCert _signCert = null!;
    private FakeAutoscaler _autoscaler = null!;
    private FakeAutoscaler _secondAutoscaler = null!;

    public StartServerScriptTests()
    {
        _worker = new StubWorker(_dir.Path);
    }

    private string CertificateFile => _dir.File("etc/instance.crt");

    private string KeyFile => _dir.File("etc/instance.key");

    private string EnvironmentFile => _dir.File("environment");

    public async Task InitializeAsync()
    {
        _signCert = await FakeSignCert.StartAsync(_authority);
        _autoscaler = await FakeAutoscaler.StartAsync();
        _secondAutoscaler = await FakeAutoscaler.StartAsync();
    }

    public async Task DisposeAsync()
    {
        await _signCert.DisposeAsync();
        await _autoscaler.DisposeAsync();
        await _secondAutoscaler.DisposeAsync();
    }

    public void Dispose()
    {
        _authority.Dispose();
        _dir.Dispose();
    }

    [Fact]
    public async Task SslOn_InstallsKeyAndSignedCertificate_AndExecsTheWorkerWithTheSettings()
    {
        var result = await RunAsync(VastEnvironment(), "--flag", "two words");

        Assert.True(result.ExitCode == 0, result.ToString());

        // exec: the worker replaced the script's process (same pid), got the arguments and the settings.
        Assert.Equal(result.ProcessId, _worker.ProcessId);
        Assert.Equal(["--flag", "two words"], _worker.Arguments);
        var env = _worker.Environment;
        Assert.Equal("true", env["VESPA_USE_SSL"]);
        Assert.Equal(CertificateFile, env["VESPA_SSL_CERT_FILE"]);
        Assert.Equal(KeyFile, env["VESPA_SSL_KEY_FILE"]);
        Assert.Equal("4242", env["CONTAINER_ID"]);
        Assert.Equal("secret-token", env["MASTER_TOKEN"]);

        // The request vast.ai's script sends: a 2048-bit RSA key, the 0.0.0.0 placeholder SAN, octet-stream.
        var call = Assert.Single(_signCert.Calls);
        Assert.Null(call.Error);
        Assert.Equal("4242", call.InstanceId);
        Assert.Equal("application/octet-stream", call.ContentType);
        Assert.Equal(2048, call.KeySize);
        Assert.Equal(["IP:0.0.0.0"], call.SubjectAlternativeNames);
        Assert.Contains("CN=pyworker.vast.ai", call.Subject, StringComparison.Ordinal);

        // What the worker will load: the signed certificate with its key, the key private to root.
        using var installed = X509Certificate2.CreateFromPemFile(CertificateFile, KeyFile);
        Assert.True(installed.HasPrivateKey);
        Assert.True(_authority.Issued(installed));
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, OperatingSystem.IsWindows() ? default : File.GetUnixFileMode(KeyFile));
        Assert.Contains("-----BEGIN PRIVATE KEY-----", File.ReadAllText(KeyFile), StringComparison.Ordinal);

        // Nothing reported, nothing left behind in TMPDIR.
        Assert.Empty(_autoscaler.StatusBodies);
        Assert.Empty(Directory.GetDirectories(_dir.Path, "vespa-tls.*"));
        Assert.Empty(Directory.GetFiles(_dir.File("etc"), "*.vespa-*"));
    }

    [Fact]
    public async Task SignCertAnswers500_ReportsTheEscapedErrorToEveryReportAddress_AndExits1()
    {
        _signCert.FailuresLeft = 1;
        _signCert.FailureStatus = 500;
        _signCert.FailureBody = "signer said \"no\"\nsecond line\tand a \\ backslash";
        var env = VastEnvironment();
        env["MASTER_TOKEN"] = "tok\"en";
        env["REPORT_ADDR"] = $"{_autoscaler.BaseUrl}, {_secondAutoscaler.BaseUrl.ToString().TrimEnd('/')}";
        env["PUBLIC_IPADDR"] = "203.0.113.7";
        env["VAST_TCP_PORT_3000"] = "40123";

        var result = await RunAsync(env);

        Assert.True(result.ExitCode == 1, result.ToString());
        Assert.False(_worker.Ran);
        Assert.False(File.Exists(CertificateFile));
        Assert.False(File.Exists(KeyFile));
        foreach (var autoscaler in new[] { _autoscaler, _secondAutoscaler })
        {
            using var status = Assert.Single(autoscaler.ParsedStatuses());
            var root = status.RootElement;
            AssertBeaconShape(root);
            Assert.Equal("tok\"en", root.GetProperty("mtoken").GetString());
            Assert.Equal("https://203.0.113.7:40123", root.GetProperty("url").GetString());
            var message = root.GetProperty("error_msg").GetString()!;
            Assert.Contains("sign_cert failed", message, StringComparison.Ordinal);
            Assert.Contains("500", message, StringComparison.Ordinal);
            Assert.Contains("signer said \"no\"\nsecond line\tand a \\ backslash", message, StringComparison.Ordinal);
        }

        Assert.Contains("sign_cert failed", result.Stderr, StringComparison.Ordinal);
        Assert.DoesNotContain("tok\"en", result.Stderr + result.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task SignCertTransientFailure_IsRetried()
    {
        _signCert.FailuresLeft = 1;
        _signCert.FailureStatus = 503;
        var env = VastEnvironment();
        env["VESPA_SIGN_CERT_RETRIES"] = "2";

        var result = await RunAsync(env);

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Equal(2, _signCert.Calls.Count);
        Assert.True(_worker.Ran);
        Assert.Empty(_autoscaler.StatusBodies);
    }

    [Fact]
    public async Task SslOnWithoutContainerId_FailsWithAClearError_BeforeAnyKeyIsMade()
    {
        var env = VastEnvironment();
        env.Remove("CONTAINER_ID");

        var result = await RunAsync(env);

        Assert.True(result.ExitCode == 1, result.ToString());
        Assert.Empty(_signCert.Calls);
        Assert.False(_worker.Ran);
        using var status = Assert.Single(_autoscaler.ParsedStatuses());
        AssertBeaconShape(status.RootElement, expectedId: 0);
        var message = status.RootElement.GetProperty("error_msg").GetString()!;
        Assert.Contains("CONTAINER_ID is not set", message, StringComparison.Ordinal);
        Assert.Contains("VESPA_USE_SSL=false", message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("not a certificate")]
    [InlineData("another key")]
    public async Task SignCertAnswersSomethingUnusable_IsAnError_AndNothingIsInstalled(string answer)
    {
        if (answer == "not a certificate")
        {
            _signCert.OverrideAnswer = "<html><body>Bad Gateway</body></html>";
        }
        else
        {
            using var other = _authority.IssueLeaf(IPAddress.Loopback);
            _signCert.OverrideAnswer = other.ExportCertificatePem();
        }

        var result = await RunAsync(VastEnvironment());

        Assert.True(result.ExitCode == 1, result.ToString());
        Assert.False(_worker.Ran);
        Assert.False(File.Exists(CertificateFile));
        Assert.False(File.Exists(KeyFile));
        using var status = Assert.Single(_autoscaler.ParsedStatuses());
        var message = status.RootElement.GetProperty("error_msg").GetString()!;
        Assert.Contains(answer == "not a certificate" ? "did not answer with a PEM certificate" : "certificate for another key", message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("VESPA_USE_SSL", "false")]
    [InlineData("USE_SSL", "0")]
    [InlineData("PYWORKER_USE_SSL", "Off")]
    public async Task SslOff_StartsTheWorker_WithoutOpensslOrSignCert(string variable, string value)
    {
        // openssl and curl on PATH that record any call: with TLS off neither may run.
        var tools = Directory.CreateDirectory(_dir.File("tools")).FullName;
        foreach (var tool in new[] { "openssl", "curl" })
        {
            var path = Path.Combine(tools, tool);
            StubWorker.WriteExecutable(path, $"#!/usr/bin/env bash\necho called >>\"{_dir.File(tool + ".called")}\"\nexit 1\n");
        }

        var env = VastEnvironment();
        env[variable] = value;
        env["PATH"] = tools + ":" + Environment.GetEnvironmentVariable("PATH");

        var result = await RunAsync(env);

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.False(File.Exists(_dir.File("openssl.called")));
        Assert.False(File.Exists(_dir.File("curl.called")));
        Assert.Empty(_signCert.Calls);
        Assert.Equal("false", _worker.Environment["VESPA_USE_SSL"]);
        Assert.False(File.Exists(CertificateFile));
    }

    [Fact]
    public async Task InvalidUseSsl_IsReported()
    {
        var env = VastEnvironment();
        env["VESPA_USE_SSL"] = "maybe";

        var result = await RunAsync(env);

        Assert.True(result.ExitCode == 1, result.ToString());
        Assert.False(_worker.Ran);
        using var status = Assert.Single(_autoscaler.ParsedStatuses());
        Assert.Contains("VESPA_USE_SSL='maybe' is not a boolean", status.RootElement.GetProperty("error_msg").GetString(), StringComparison.Ordinal);
        Assert.Equal("http://203.0.113.7:40123", status.RootElement.GetProperty("url").GetString());
    }

    [Fact]
    public async Task MissingWorker_IsReported()
    {
        var env = VastEnvironment();
        env["VESPA_USE_SSL"] = "false";
        env["VESPA_WORKER_BIN"] = _dir.File("no-such-worker");

        var result = await RunAsync(env);

        Assert.True(result.ExitCode == 1, result.ToString());
        using var status = Assert.Single(_autoscaler.ParsedStatuses());
        var message = status.RootElement.GetProperty("error_msg").GetString()!;
        Assert.Contains(_dir.File("no-such-worker"), message, StringComparison.Ordinal);
        Assert.Contains("missing or not executable", message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task WorkerExitStatus_IsTheProcessExitStatus_AndNotReportedByTheScript()
    {
        var env = VastEnvironment();
        env["VESPA_USE_SSL"] = "false";
        env["STUB_EXIT"] = "3";

        var result = await RunAsync(env);

        // After exec the script is gone: the status is the worker's, and reporting is the worker's job.
        Assert.Equal(3, result.ExitCode);
        Assert.Empty(_autoscaler.StatusBodies);
    }

    [Fact]
    public async Task EnvironmentFile_IsWrittenOnce_InPamEnvFormat()
    {
        var env = VastEnvironment();
        env["VESPA_USE_SSL"] = "false";
        env["VAST_TCP_PORT_22"] = "41022";
        env["WITH_QUOTE"] = "say \"hi\"";
        env["WITH_NEWLINE"] = "a\nb";

        var first = await RunAsync(env);

        Assert.True(first.ExitCode == 0, first.ToString());
        var lines = File.ReadAllLines(EnvironmentFile);
        Assert.Contains("CONTAINER_ID=\"4242\"", lines);
        Assert.Contains("VAST_TCP_PORT_22=\"41022\"", lines);
        Assert.Contains("MASTER_TOKEN=\"secret-token\"", lines);
        Assert.DoesNotContain(lines, l => l.StartsWith("WITH_QUOTE=", StringComparison.Ordinal) || l.StartsWith("WITH_NEWLINE=", StringComparison.Ordinal));
        Assert.DoesNotContain(lines, l => l.StartsWith("HOME=", StringComparison.Ordinal));
        Assert.Contains("WITH_NEWLINE", first.Stderr, StringComparison.Ordinal);

        // A second start (container restart) leaves the recorded file alone.
        env["CONTAINER_ID"] = "999";
        var second = await RunAsync(env);

        Assert.True(second.ExitCode == 0, second.ToString());
        Assert.Contains("CONTAINER_ID=\"4242\"", File.ReadAllLines(EnvironmentFile));
    }

    [Fact]
    public async Task EnvironmentFileNotWritable_IsOnlyAWarning()
    {
        var env = VastEnvironment();
        env["VESPA_USE_SSL"] = "false";
        env["VESPA_ENV_FILE"] = _dir.File("no/such/dir/environment");

        var result = await RunAsync(env);

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.True(_worker.Ran);
        Assert.Contains("could not write", result.Stderr, StringComparison.Ordinal);
    }

    private static void AssertBeaconShape(JsonElement root, long expectedId = ContainerId)
    {
        Assert.Equal(StatusFields, root.EnumerateObject().Select(p => p.Name));
        Assert.Equal(expectedId, root.GetProperty("id").GetInt64());
        Assert.Equal("1.1.0", root.GetProperty("version").GetString());
        foreach (var property in root.EnumerateObject().Where(p => p.Value.ValueKind == JsonValueKind.Number && p.Name != "id"))
        {
            // The SDK's dataclasses hold these as floats (sent as 0.0 by Python) and the rest as ints (issue 11 item 3).
            Assert.Equal(SdkFloatFields.Contains(property.Name) ? "0.0" : "0", property.Value.GetRawText());
        }

        Assert.Equal(JsonValueKind.Array, root.GetProperty("working_request_idxs").ValueKind);
        Assert.Equal(0, root.GetProperty("working_request_idxs").GetArrayLength());
    }

    /// <summary>What vast.ai sets, plus the test's overrides for every path the script writes.</summary>
    private Dictionary<string, string> VastEnvironment() => new()
    {
        ["CONTAINER_ID"] = ContainerId.ToString(System.Globalization.CultureInfo.InvariantCulture),
        ["MASTER_TOKEN"] = "secret-token",
        ["REPORT_ADDR"] = _autoscaler.BaseUrl.ToString(),
        ["PUBLIC_IPADDR"] = "203.0.113.7",
        ["VAST_TCP_PORT_3000"] = "40123",
        ["VESPA_SIGN_CERT_URL"] = _signCert.Url.ToString(),
        ["VESPA_SIGN_CERT_RETRIES"] = "0",
        ["VESPA_WORKER_BIN"] = _worker.Executable,
        ["VESPA_ENV_FILE"] = EnvironmentFile,
        ["VESPA_SSL_CERT_FILE"] = CertificateFile,
        ["VESPA_SSL_KEY_FILE"] = KeyFile,
        ["STUB_OUT"] = _worker.Output,
    };

    private Task<ScriptResult> RunAsync(Dictionary<string, string> environment, params string[] args) =>
        ScriptProcess.RunAsync(RepositoryPaths.StartServerScript, _dir.Path, environment, args);
}
