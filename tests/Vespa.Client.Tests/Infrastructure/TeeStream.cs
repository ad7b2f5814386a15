using System.Text;

namespace Vespa.Client.Tests.Infrastructure;

/// <summary>Standard output as bytes for tests: keeps the exact bytes and also shows them (as UTF-8) in the text
/// output, so a test can assert on either.</summary>
internal sealed class TeeStream(MemoryStream bytes, TextWriter text) : Stream
{
    public override bool CanRead => false;

    public override bool CanSeek => false;

    public override bool CanWrite => true;

    public override long Length => bytes.Length;

    public override long Position
    {
        get => bytes.Position;
        set => throw new NotSupportedException();
    }

    public override void Write(byte[] buffer, int offset, int count)
    {
        lock (bytes)
        {
            bytes.Write(buffer, offset, count);
        }

        text.Write(Encoding.UTF8.GetString(buffer, offset, count));
    }

    public override void Flush()
    {
    }

    public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();
}
