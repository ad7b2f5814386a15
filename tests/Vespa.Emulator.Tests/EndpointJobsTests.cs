using System.Net;
using static Vespa.Testing.EmulatorTestKit;

namespace Vespa.Emulator.Tests;

/// <summary><c>GET /api/v0/endptjobs/</c>: the endpoint listing behind an account key (vast-protocol.md §7.1).</summary>
public sealed class EndpointJobsTests
{
    [Fact]
    public async Task List_RightAccountKey_ListsEveryEndpointWithItsKey()
    {
        await using var emulator = await StartAsync(o =>
        {
            o.AccountKey = "acct";
            o.Endpoints.Add(new EmulatedEndpoint("alpha", "key-a"));
            o.Endpoints.Add(new EmulatedEndpoint("beta", "key-b"));
        });

        var reply = await GetAsync(emulator, "/api/v0/endptjobs/?client_id=me&api_key=acct", "acct");

        Assert.Equal(HttpStatusCode.OK, reply.Status);
        var results = reply.Json().GetProperty("results").EnumerateArray().ToArray();
        Assert.Equal(2, results.Length);
        Assert.Equal("alpha", results[0].GetProperty("endpoint_name").GetString());
        Assert.Equal("key-a", results[0].GetProperty("api_key").GetString());
        Assert.Equal("key-b", results[1].GetProperty("api_key").GetString());
        foreach (var item in results)
        {
            Assert.True(item.GetProperty("id").GetInt64() > 0);
            Assert.True(item.GetProperty("user_id").GetInt64() > 0);
            Assert.True(item.GetProperty("created_at").GetDouble() > 0);
            Assert.Equal("active", item.GetProperty("endpoint_state").GetString());
        }
    }

    [Fact]
    public async Task List_DefaultEndpointAndKeyInQueryOnly_Served()
    {
        await using var emulator = await StartAsync();

        var reply = await GetAsync(emulator, "/api/v0/endptjobs/?api_key=local-account-key");

        var item = Assert.Single(reply.Json().GetProperty("results").EnumerateArray());
        Assert.Equal("local", item.GetProperty("endpoint_name").GetString());
        Assert.Equal("local-endpoint-key", item.GetProperty("api_key").GetString());
    }

    [Theory]
    [InlineData("wrong")]
    [InlineData(null)]
    public async Task List_WrongOrMissingAccountKey_401(string? key)
    {
        await using var emulator = await StartAsync();

        var reply = await GetAsync(emulator, "/api/v0/endptjobs/", key);

        Assert.Equal(HttpStatusCode.Unauthorized, reply.Status);
        Assert.False(string.IsNullOrEmpty(reply.Json().GetProperty("error").GetString()));
    }

    [Fact]
    public async Task List_EndpointKeyIsNotAnAccountKey_401()
    {
        await using var emulator = await StartAsync();

        Assert.Equal(HttpStatusCode.Unauthorized, (await GetAsync(emulator, "/api/v0/endptjobs/", "local-endpoint-key")).Status);
    }

    [Fact]
    public async Task Get_ById_ReturnsTheEndpointOr404()
    {
        await using var emulator = await StartAsync();

        var found = await GetAsync(emulator, "/api/v0/endptjobs/1/", "local-account-key");
        var missing = await GetAsync(emulator, "/api/v0/endptjobs/2/", "local-account-key");

        Assert.Equal("local", found.Json().GetProperty("result").GetProperty("endpoint_name").GetString());
        Assert.Equal(HttpStatusCode.NotFound, missing.Status);
    }
}
