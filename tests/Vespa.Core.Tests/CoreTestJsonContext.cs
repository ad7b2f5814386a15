using System.Text.Json.Serialization;

namespace Vespa.Core.Tests;

/// <summary>Source-generated serialisation for test fixtures (house rule 11: no reflection-based JSON).</summary>
[JsonSerializable(typeof(string))]
[JsonSerializable(typeof(Dictionary<string, string>))]
internal sealed partial class CoreTestJsonContext : JsonSerializerContext
{
}
