namespace Vespa.Core;

internal static class Placeholder
{
}
