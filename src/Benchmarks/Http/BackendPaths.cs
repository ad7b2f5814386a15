namespace Vespa.Benchmarks.Http;

/// <summary>Backend URLs that keep the base path of <see cref="HttpClient.BaseAddress"/>.</summary>
internal static class BackendPaths
{
    /// <summary>
    /// <c>http://h/base</c> + <c>v1/models</c> → <c>http://h/base/v1/models</c>. Plain relative-URI
    /// resolution would drop <c>base</c> when the base address has no trailing slash.
    /// </summary>
    public static Uri Resolve(HttpClient backend, string relativePath)
    {
        var baseAddress = backend.BaseAddress
            ?? throw new InvalidOperationException("BenchmarkContext.Backend.BaseAddress must be set to the backend base URL.");
        var builder = new UriBuilder(baseAddress);
        var basePath = builder.Path.EndsWith('/') ? builder.Path : builder.Path + "/";
        builder.Path = basePath + relativePath.TrimStart('/');
        return builder.Uri;
    }
}
