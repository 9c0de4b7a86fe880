namespace Opacity.Gan;
