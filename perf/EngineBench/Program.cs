using System.Diagnostics;
using System.Globalization;
using Microsoft.Extensions.Logging;
using Vespa.Engine;
using Vespa.Engine.Models;

namespace Vespa.Perf.EngineBench;

/// <summary>
/// Tokens per second through Vespa's engine (LlamaEngine + InferenceScheduler), the .NET half of
/// perf/engine/run.sh; perf/engine/native_bench.c is the C half and runs the same workload
/// straight on llama.cpp. See perf/README.md for the definition of tokens per second.
/// <code>
/// Vespa.Perf.EngineBench generate tiny|medium DIR
///     generates the demo model into DIR unless it is there; prints its path
/// Vespa.Perf.EngineBench run MODEL N G THREADS [NATIVE_DIR] [WARMUP_MS] [PASSES] [PROMPT]
///     N concurrent requests of G tokens each, warm-up passes for WARMUP_MS (500), then PASSES (3)
///     measured passes; prints one "RESULT impl=dotnet ..." line with the median pass
/// </code>
/// </summary>
internal static class Program
{
    /// <summary>The same prompt as native_bench.c's default.</summary>
    private const string DefaultPrompt =
        "<|im_start|>user\nWrite a short story about a lighthouse keeper and the sea.<|im_end|>\n<|im_start|>assistant\n";

    /// <summary>Tokens per decode step (n_batch), as in native_bench.c.</summary>
    private const int BatchSize = 512;

    /// <summary>Prompt tokens reserved per sequence in n_ctx, as in native_bench.c: n_ctx = N * (64 + G).</summary>
    private const int PromptBudget = 64;

    public static async Task<int> Main(string[] args)
    {
        try
        {
            return args.Length > 0 && args[0] == "generate" && args.Length == 3 ? Generate(args[1], args[2])
                : args.Length is >= 5 and <= 9 && args[0] == "run" ? await RunAsync(args[1..])
                : Usage();
        }
        catch (ArgumentException ex)
        {
            await Console.Error.WriteLineAsync("engine-bench: " + ex.Message);
            return 2;
        }
    }

    private static int Usage()
    {
        Console.Error.WriteLine("usage: Vespa.Perf.EngineBench generate tiny|medium DIR");
        Console.Error.WriteLine("       Vespa.Perf.EngineBench run MODEL N G THREADS [NATIVE_DIR] [WARMUP_MS] [PASSES] [PROMPT]");
        return 2;
    }

    private static int Generate(string preset, string directory)
    {
        if (!DemoModelOptions.TryGetPreset(preset, out var options))
        {
            throw new ArgumentException($"unknown preset '{preset}' (tiny or medium)");
        }

        var path = Path.Combine(Path.GetFullPath(directory), DemoModel.GetFileName(options));
        if (!File.Exists(path))
        {
            var started = Stopwatch.GetTimestamp();
            DemoModel.Generate(path, options);
            Console.Error.WriteLine(string.Create(CultureInfo.InvariantCulture, $"engine-bench: generated {path} ({new FileInfo(path).Length / 1e6:F1} MB, {DemoModel.CountParameters(options):N0} parameters) in {Stopwatch.GetElapsedTime(started).TotalSeconds:F1} s"));
        }

        Console.WriteLine(path);
        return 0;
    }

    private static async Task<int> RunAsync(string[] args)
    {
        var modelPath = args[0];
        var sequences = ParseInt(args[1], "N", 1, 256);
        var tokens = ParseInt(args[2], "G", 2, 1_000_000);
        var threads = ParseInt(args[3], "THREADS", 1, 1024);
        var nativeDirectory = args.Length > 4 ? args[4] : Environment.GetEnvironmentVariable("LLAMA_NATIVE_DIR");
        var warmupMs = args.Length > 5 ? ParseInt(args[5], "WARMUP_MS", 0, 1_000_000) : 500;
        var passes = args.Length > 6 ? ParseInt(args[6], "PASSES", 1, 1000) : 3;
        var promptText = args.Length > 7 ? args[7] : DefaultPrompt;

        var started = Stopwatch.GetTimestamp();
        using var loggers = LoggerFactory.Create(b => b
            .SetMinimumLevel(LogLevel.Warning)
            .AddSimpleConsole(o => o.SingleLine = true)
            .AddConsole(o => o.LogToStandardErrorThreshold = LogLevel.Trace));
        using var engine = LlamaEngine.Load(modelPath, new EngineOptions
        {
            NativeDirectory = string.IsNullOrEmpty(nativeDirectory) ? null : nativeDirectory,
            GpuLayers = 0,
            Threads = threads,
            ContextSize = sequences * (PromptBudget + tokens),
            ParallelSequences = sequences,
            BatchSize = BatchSize,

            // The same work as native_bench.c: one unified KV buffer, every prompt prefilled in every pass.
            UnifiedKv = true,
            PromptCache = false,
        }, loggers);
        var prompt = engine.Tokenize(promptText);
        if (prompt.Length > PromptBudget || prompt.Length * sequences > BatchSize)
        {
            throw new ArgumentException($"the prompt has {prompt.Length} tokens; at most {PromptBudget}, and N * that at most {BatchSize}");
        }

        var loadMs = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
        var workload = new EngineWorkload(engine, prompt, sequences, tokens);

        var warmupPasses = 0;
        var warmupStarted = Stopwatch.GetTimestamp();
        do
        {
            await workload.RunPassAsync();
            warmupPasses++;
        }
        while (Stopwatch.GetElapsedTime(warmupStarted).TotalMilliseconds < warmupMs);

        var measured = new PassResult[passes];
        for (var p = 0; p < passes; p++)
        {
            measured[p] = await workload.RunPassAsync();
        }

        if (measured.Any(m => m.Hash != measured[0].Hash))
        {
            throw new InvalidOperationException("The passes generated different text.");
        }

        if (Environment.GetEnvironmentVariable("BENCH_DUMP_TEXT") is { Length: > 0 } dumpPath)
        {
            // A diagnostic, as in native_bench.c: the first request's text of the first measured pass.
            await File.WriteAllTextAsync(dumpPath, measured[0].Text);
        }

        // The pass with the median tokens per second, as native_bench.c.
        Array.Sort(measured, (a, b) => a.TokensPerSecond.CompareTo(b.TokensPerSecond));
        var r = measured[passes / 2];

        Console.WriteLine(string.Create(
            CultureInfo.InvariantCulture,
            $"RESULT impl=dotnet model={Path.GetFileName(modelPath)} n={sequences} g={tokens} threads={threads} prompt_tokens={prompt.Length} gen_tokens={r.GenerationTokens} gen_s={r.GenerationSeconds:F6} tok_s={r.TokensPerSecond:F2} min_tok_s={measured[0].TokensPerSecond:F2} max_tok_s={measured[^1].TokensPerSecond:F2} passes={passes} prefill_ms={r.PrefillSeconds * 1000:F3} warmup_passes={warmupPasses} load_ms={loadMs:F1} hash={r.Hash:x16} steps_before_window={r.StepsBeforeWindow}"));
        return 0;
    }

    private static int ParseInt(string text, string name, int min, int max) =>
        int.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out var value) && value >= min && value <= max
            ? value
            : throw new ArgumentException($"{name} must be an integer from {min} to {max}, not '{text}'");
}
