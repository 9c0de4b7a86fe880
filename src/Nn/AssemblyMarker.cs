namespace Opacity.Nn;
