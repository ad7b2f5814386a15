using System.Text;
using Vespa.Worker.Sessions;

namespace Vespa.Worker.Tests.Unit;

/// <summary>The close callback's body, as the SDK builds it (<c>body.setdefault("session_id", id)</c>).</summary>
public sealed class SessionCallbackBodyTests
{
    private static string Build(string? payload) => Encoding.UTF8.GetString(SessionCallbackBody.Build("Abcdefghijklm", payload));

    [Fact]
    public void Build_ObjectPayload_GetsTheSessionIdAdded() =>
        Assert.Equal("""{"job":7,"session_id":"Abcdefghijklm"}""", Build("""{"job": 7}"""));

    [Fact]
    public void Build_PayloadWithItsOwnSessionId_KeepsIt() =>
        Assert.Equal("""{"session_id":"my-correlation-id","job":7}""", Build("""{"session_id": "my-correlation-id", "job": 7}"""));

    [Fact]
    public void Build_PayloadWithANullSessionId_KeepsTheNull() =>
        Assert.Equal("""{"session_id":null}""", Build("""{"session_id": null}"""));

    [Fact]
    public void Build_NonObjectPayload_IsWrapped() =>
        Assert.Equal("""{"payload":[1,2],"session_id":"Abcdefghijklm"}""", Build("[1, 2]"));

    [Fact]
    public void Build_NoPayload_IsJustTheSessionId() =>
        Assert.Equal("""{"session_id":"Abcdefghijklm"}""", Build(null));
}
