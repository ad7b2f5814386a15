namespace Vespa.Core.Signatures;

/// <summary>Which message the autoscaler's signature covers (vast-protocol.md §0.1, §2).</summary>
public enum SignatureScheme
{
    /// <summary><c>json.dumps({"url": url}, indent=4, sort_keys=True)</c>: SDK 1.0.1 and later, current production.</summary>
    Url,

    /// <summary><c>json.dumps({cost, endpoint, reqnum, request_idx, url}, indent=4, sort_keys=True)</c>: pyworker
    /// 0.1–0.2.x, SDK 1.0.0 and the claudius fork.</summary>
    Legacy,

    /// <summary>Accept either: try <see cref="Url"/>, then <see cref="Legacy"/>. Verification only.</summary>
    Auto,
}
