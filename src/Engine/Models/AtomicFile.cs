namespace Vespa.Engine.Models;

/// <summary>
/// Replaces a file atomically: the content goes to a uniquely named temporary file in the same
/// directory, is flushed to disk, then renamed over the target (rename within one file system is
/// atomic on POSIX), so a crash or a concurrent reader never sees a half-written file and two
/// writers racing for the same target both leave a complete one.
/// </summary>
internal static class AtomicFile
{
    private const int BufferSize = 1 << 20;

    public static void Write(string path, Action<Stream> write)
    {
        var fullPath = Path.GetFullPath(path);
        var directory = Path.GetDirectoryName(fullPath)!;
        Directory.CreateDirectory(directory);
        var temporary = TemporaryPathFor(fullPath);
        try
        {
            using (var stream = new FileStream(temporary, FileMode.CreateNew, FileAccess.Write, FileShare.None, BufferSize))
            {
                write(stream);
                stream.Flush(flushToDisk: true);
            }

            File.Move(temporary, fullPath, overwrite: true);
        }
        finally
        {
            TryDelete(temporary);
        }
    }

    public static void WriteAllText(string path, string text) =>
        Write(path, stream =>
        {
            using var writer = new StreamWriter(stream, leaveOpen: true);
            writer.Write(text);
        });

    /// <summary>A hidden, unique sibling of <paramref name="fullPath"/>: <c>.name.&lt;guid&gt;.tmp</c>.</summary>
    public static string TemporaryPathFor(string fullPath) =>
        Path.Combine(Path.GetDirectoryName(fullPath)!, $".{Path.GetFileName(fullPath)}.{Guid.NewGuid():N}.tmp");

    /// <summary>Deletes <paramref name="path"/> if it exists, ignoring I/O errors (best-effort clean-up).</summary>
    public static void TryDelete(string path)
    {
        try
        {
            File.Delete(path);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
        }
    }
}
