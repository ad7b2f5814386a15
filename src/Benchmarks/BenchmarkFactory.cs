using System.Collections.Frozen;
using System.Collections.ObjectModel;
using System.Diagnostics.CodeAnalysis;
using Vespa.Benchmarks.Builtin;
using Vespa.Benchmarks.Plugins;

namespace Vespa.Benchmarks;

/// <summary>Turns a benchmark spec (<c>VESPA_BENCHMARK</c>) into a benchmark.</summary>
public static class BenchmarkFactory
{
    /// <summary>What <see cref="Create(string)"/> accepts, for error messages and help text.</summary>
    public const string AcceptedForms =
        "Accepted forms: openai-chat, openai-completions, engine, tgi, comfyui, constant:<number greater than 0>, " +
        "or path/to/plugin.dll:Namespace.TypeName (a class implementing Vespa.Benchmarks.IStartupBenchmark " +
        "with a public parameterless constructor).";

    /// <summary>The built-in benchmarks that need no argument (see also <c>constant:&lt;value&gt;</c>).</summary>
    public static IReadOnlyList<string> BuiltInNames { get; } = new ReadOnlyCollection<string>(
    [
        OpenAiBenchmark.ChatName,
        OpenAiBenchmark.CompletionsName,
        OpenAiBenchmark.EngineName,
        TgiBenchmark.BenchmarkName,
        ComfyUiBenchmark.BenchmarkName,
    ]);

    private static readonly FrozenDictionary<string, Func<IStartupBenchmark>> BuiltIns = new Dictionary<string, Func<IStartupBenchmark>>
    {
        [OpenAiBenchmark.ChatName] = () => new OpenAiBenchmark(OpenAiApi.Chat),
        [OpenAiBenchmark.CompletionsName] = () => new OpenAiBenchmark(OpenAiApi.Completions),
        [OpenAiBenchmark.EngineName] = () => new OpenAiBenchmark(OpenAiApi.Engine),
        [TgiBenchmark.BenchmarkName] = () => new TgiBenchmark(),
        [ComfyUiBenchmark.BenchmarkName] = () => new ComfyUiBenchmark(),
    }.ToFrozenDictionary(StringComparer.OrdinalIgnoreCase);

    /// <summary>
    /// Creates the benchmark named by <paramref name="spec"/>: a built-in name (case-insensitive),
    /// <c>constant:&lt;value&gt;</c>, or <c>path.dll:Namespace.TypeName</c> for a custom benchmark loaded
    /// into its own load context (relative paths are relative to the working directory). A custom
    /// benchmark's <see cref="IStartupBenchmark"/> is this assembly's, and its result is checked:
    /// a non-positive or non-finite throughput fails with <see cref="BenchmarkFailedException"/>.
    /// </summary>
    /// <exception cref="ArgumentException">Unknown name, bad constant, missing file or type; the message lists <see cref="AcceptedForms"/>.</exception>
    [UnconditionalSuppressMessage(
        "Trimming",
        "IL2026:RequiresUnreferencedCode",
        Justification = "Custom benchmarks are an explicit opt-in (a path.dll:Type spec), never taken by the built-in names. " +
            "The plugin assembly itself is loaded whole (it was never seen by the trimmer); what it uses from the host is the " +
            "public Vespa.Benchmarks contract, which the worker roots by using it. Should a trimmed host lack something else " +
            "a plugin needs, loading or running it fails with an exception naming the plugin, never silently.")]
    public static IStartupBenchmark Create(string spec)
    {
        ArgumentNullException.ThrowIfNull(spec);
        var text = spec.Trim();
        if (text.Length == 0)
        {
            throw new ArgumentException("The benchmark name is empty. " + AcceptedForms, nameof(spec));
        }

        if (BuiltIns.TryGetValue(text, out var create))
        {
            return create();
        }

        if (text.StartsWith(ConstantBenchmark.Prefix, StringComparison.OrdinalIgnoreCase))
        {
            return ConstantBenchmark.TryParse(text[ConstantBenchmark.Prefix.Length..].Trim(), out var problem)
                ?? throw new ArgumentException($"Invalid benchmark '{spec}': {problem}. {AcceptedForms}", nameof(spec));
        }

        // path.dll:Type. The last colon splits, so a Windows drive letter (C:\x.dll:T) stays in the path.
        var colon = text.LastIndexOf(':');
        if (colon > 0 && text[..colon].EndsWith(".dll", StringComparison.OrdinalIgnoreCase))
        {
            var typeName = text[(colon + 1)..].Trim();
            if (typeName.Length == 0)
            {
                throw new ArgumentException($"Invalid benchmark '{spec}': the type name after ':' is missing. {AcceptedForms}", nameof(spec));
            }

            return PluginBenchmarkLoader.Load(spec, text[..colon], typeName);
        }

        throw new ArgumentException($"Unknown benchmark '{spec}'. {AcceptedForms}", nameof(spec));
    }
}
