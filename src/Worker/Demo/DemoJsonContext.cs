using System.Text.Json.Serialization;

namespace Vespa.Worker.Demo;

[JsonSerializable(typeof(string))]
[JsonSerializable(typeof(Dictionary<string, string>))]
internal sealed partial class DemoJsonContext : JsonSerializerContext
{
}
