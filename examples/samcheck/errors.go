package samcheck

import "errors"

var (
	// ErrParse is returned by [Check] for input that is not a YAML or JSON
	// template with Resources.
	ErrParse = errors.New("samcheck: cannot parse template")

	// ErrUnsupported is returned by [Check] for a template that uses a
	// feature samcheck cannot check, such as Fn::ForEach of the
	// AWS::LanguageExtensions transform. Nothing of such a template is
	// checked, so that it cannot pass by accident.
	ErrUnsupported = errors.New("samcheck: template not supported")
)
