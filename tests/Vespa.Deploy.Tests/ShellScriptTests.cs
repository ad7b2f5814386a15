using Vespa.Deploy.Tests.Support;

namespace Vespa.Deploy.Tests;

/// <summary>
/// The scripts the image runs or builds with. <c>bash -n</c> (syntax) always runs; shellcheck runs as well
/// wherever it is installed (CI images and developer machines differ, and the test must not depend on an
/// install step), so on a machine without shellcheck this test checks the syntax only.
/// </summary>
public sealed class ShellScriptTests
{
    [Theory]
    [InlineData("scripts/start_server.sh")]
    [InlineData("scripts/fetch-llama-native.sh")]
    [InlineData("scripts/emulator-page-check.sh")]
    [InlineData("scripts/gpu-check.sh")]
    [InlineData("scripts/build-llama-native.sh")]
    public async Task Script_PassesBashSyntaxCheck_AndShellcheckWhenInstalled(string script)
    {
        var path = Path.Combine(RepositoryPaths.Root, script);
        using var dir = new TempDirectory();

        var syntax = await ScriptProcess.RunAsync("-n", dir.Path, new Dictionary<string, string>(), path);
        Assert.True(syntax.ExitCode == 0, syntax.ToString());

        var which = await ScriptProcess.RunAsync("-c", dir.Path, new Dictionary<string, string>(), "command -v shellcheck");
        if (which.ExitCode == 0)
        {
            var lint = await ScriptProcess.RunAsync("-c", dir.Path, new Dictionary<string, string>(), "shellcheck --severity=style \"$0\"", path);
            Assert.True(lint.ExitCode == 0, lint.ToString());
        }
    }

    [Fact]
    public async Task StartServerScript_IsStrictBash_AndExecsTheWorker()
    {
        var text = await File.ReadAllTextAsync(RepositoryPaths.StartServerScript);

        Assert.StartsWith("#!/usr/bin/env bash\n", text, StringComparison.Ordinal);
        Assert.Contains("\nset -euo pipefail\n", text, StringComparison.Ordinal);
        Assert.Contains("\nexec \"$worker_bin\" \"$@\"\n", text, StringComparison.Ordinal);
    }
}
