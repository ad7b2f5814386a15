using System.Text.Json.Serialization;

namespace Vespa.Benchmarks.Cache;

/// <summary>The assembly's one source-generated JSON context (house rule 11).</summary>
[JsonSourceGenerationOptions(WriteIndented = true)]
[JsonSerializable(typeof(BenchmarkCacheFile))]
internal sealed partial class BenchmarkJsonContext : JsonSerializerContext;
