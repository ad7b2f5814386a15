using Vespa.Core.Envelopes;

namespace Vespa.Client.Routing;

/// <summary>A READY <c>/route/</c> answer: the worker to call and the signed auth data to call it with.</summary>
/// <param name="WorkerUrl">The worker's base URL (<c>url</c>), without a trailing slash.</param>
/// <param name="AuthData">The six signed fields exactly as the autoscaler sent them (number tokens unchanged, so the
/// legacy scheme's message still matches).</param>
internal sealed record RouteTicket(string WorkerUrl, AuthData AuthData);
