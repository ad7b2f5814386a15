namespace Vespa.Deploy.Tests.Support;

/// <summary>One call to the fake sign_cert, as received.</summary>
internal sealed record SignCertCall(
    string? InstanceId,
    string? ContentType,
    string Subject,
    IReadOnlyList<string> SubjectAlternativeNames,
    int KeySize,
    string? Error);
