using Vespa.Engine.Models;

namespace Vespa.Engine.Tests.Models.Support;

/// <summary>The tiny demo model's bytes, generated once per test process.</summary>
internal static class TestModels
{
    private static readonly Lazy<byte[]> TinyBytes = new(() => Write(DemoModelOptions.Tiny));

    public static byte[] Tiny => TinyBytes.Value;

    public static byte[] Write(DemoModelOptions options)
    {
        using var stream = new MemoryStream();
        DemoModel.WriteTo(stream, options);
        return stream.ToArray();
    }
}
