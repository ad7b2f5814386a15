namespace Vespa.Worker;

public static partial class Program
{
    public static void Main()
    {
    }
}
