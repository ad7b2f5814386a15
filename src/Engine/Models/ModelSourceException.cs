namespace Vespa.Engine.Models;

/// <summary>
/// The configured model cannot be used: a local path that is missing, unreadable or not a GGUF
/// file, an unsupported URL scheme, an invalid expected hash, or (as
/// <see cref="ModelDownloadException"/>) a failed download. The message says what to fix.
/// </summary>
public class ModelSourceException : Exception
{
    public ModelSourceException()
    {
    }

    public ModelSourceException(string message)
        : base(message)
    {
    }

    public ModelSourceException(string message, Exception? innerException)
        : base(message, innerException)
    {
    }
}
