using Microsoft.Extensions.Logging;
using Vespa.Engine.Native;

namespace Vespa.Engine.Tests.Native;

public sealed class LlamaLogRouterTests
{
    [Fact]
    public void Write_JoinsFragmentsAndContinuationsIntoOneLine()
    {
        var logger = new CollectingLogger();
        using var router = new LlamaLogRouter(logger);

        router.Write(GgmlLogLevel.Info, "llama_model_load: loading");
        router.Write(GgmlLogLevel.Cont, ".");
        router.Write(GgmlLogLevel.Cont, ".");
        router.Write(GgmlLogLevel.Cont, " done\n");

        var entry = Assert.Single(logger.Entries);
        Assert.Equal(LogLevel.Debug, entry.Level);
        Assert.Equal("llama.cpp: llama_model_load: loading.. done", entry.Message);
        Assert.Equal(500, entry.EventId.Id);
    }

    [Fact]
    public void Write_SplitsLinesAndKeepsTheLevelOfEachMessage()
    {
        var logger = new CollectingLogger();
        using var router = new LlamaLogRouter(logger);

        router.Write(GgmlLogLevel.Warn, "first\nsecond\n");
        router.Write(GgmlLogLevel.Error, "broken");
        router.Write(GgmlLogLevel.Debug, "detail\n");

        Assert.Equal(
            [(LogLevel.Warning, "llama.cpp: first"), (LogLevel.Warning, "llama.cpp: second"), (LogLevel.Error, "llama.cpp: broken"), (LogLevel.Trace, "llama.cpp: detail")],
            logger.Entries.Select(e => (e.Level, e.Message)).ToArray());
    }

    [Fact]
    public void TakeErrors_ReturnsTheErrorLinesOfThisThreadOnce()
    {
        using var router = new LlamaLogRouter(new CollectingLogger());

        router.Write(GgmlLogLevel.Info, "fine\n");
        router.Write(GgmlLogLevel.Error, "gguf_init: invalid magic\n");
        router.Write(GgmlLogLevel.Error, "failed to load model");

        Assert.Equal("gguf_init: invalid magic; failed to load model", router.TakeErrors());
        Assert.Null(router.TakeErrors());
    }

    [Fact]
    public void Write_PendingLinesArePerThread()
    {
        var logger = new CollectingLogger();
        using var router = new LlamaLogRouter(logger);

        // Synchronous on purpose: after an await the test could resume on another thread, which is
        // exactly what this test must control. The other thread is started and joined in between.
        router.Write(GgmlLogLevel.Info, "main ");
        var other = new Thread(() => router.Write(GgmlLogLevel.Warn, "other\n"));
        other.Start();
        Assert.True(other.Join(TimeSpan.FromSeconds(10)));
        router.Write(GgmlLogLevel.Cont, "thread\n");

        Assert.Equal(["llama.cpp: other", "llama.cpp: main thread"], logger.Entries.Select(e => e.Message).ToArray());
    }

    [Theory]
    [InlineData(1, LogLevel.Trace)]
    [InlineData(2, LogLevel.Debug)]
    [InlineData(3, LogLevel.Warning)]
    [InlineData(4, LogLevel.Error)]
    [InlineData(0, LogLevel.Information)]
    public void Map_Levels(int ggmlLevel, LogLevel expected)
    {
        Assert.Equal(expected, LlamaLogRouter.Map((GgmlLogLevel)ggmlLevel));
    }
}
